"""LBA Bot: composition root (config, Application, CLI, i18n, persistence)."""
