"""Backups: `python -m bot backup` / `restore`, and the nightly backup with its retention."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings


def backup(settings: Settings, to_dir: str | Path) -> Path:
    raise NotImplementedError


def restore(settings: Settings, file: str | Path, *, assume_yes: bool = False) -> int:
    raise NotImplementedError
