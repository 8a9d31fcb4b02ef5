"""LBA Bot: composition root (config, Application, CLI, i18n, persistence)."""

import os

# Opt in to python-telegram-bot's next behaviour: durations (RetryAfter.retry_after...) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")
