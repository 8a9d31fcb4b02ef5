"""The heavy optional libraries load only when used: every start (and every e2e test's process) pays the rest.

openai (36 MiB, 0.7 s) is imported when an OpenAI engine is built (OPENAI_API_KEY set), fpdf (45 MiB with
numpy and Pillow, 0.5 s) when a certificate is rendered; matplotlib when a chart is drawn.
"""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import ROOT

HEAVY = ("openai", "fpdf", "matplotlib", "numpy", "PIL")


def test_starting_the_bot_does_not_import_the_optional_heavy_libraries() -> None:
    code = f"import sys, bot.app, bot.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_they_load_when_used() -> None:
    code = (
        "import sys; from services.assistant_openai import OpenAIConfig, OpenAIEngine; "
        "OpenAIEngine(OpenAIConfig(api_key='k', base_url='http://127.0.0.1:9/v1', model='m', timeout=1.0)); "
        "print('openai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
