"""`python -m bot demo`: the newcomer's one command, played through its terminal chat."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_plays_a_sign_in_from_the_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))}
    env.update(PYTHONPATH=str(ROOT), LBA_BCRYPT_ROUNDS="4")
    script = "\n".join(["/start", "1", "resident1@lba.demo", "demo1234", ":user manager", "/aide", ":quit", ""])
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "bienvenue sur LBA Bot" in out and "[1] 🔑 Se connecter" in out
    assert "(votre message a été supprimé par le bot)" in out and "« demo1234 »" not in out
    assert "Bonjour Jeanne" in out and "Les Belles Années Lyon · appartement A12" in out
    assert "Vous êtes maintenant [manager]" in out and "/connexion" in out
    assert (tmp_path / "data" / "demo.db").exists()
    log = (tmp_path / "data" / "demo.log").read_text()
    assert "Traceback" not in log, log
