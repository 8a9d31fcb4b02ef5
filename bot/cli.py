"""`python -m bot <command>` (also `lba-bot`): run, db upgrade, seed-demo, invite, backup, restore, demo."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure as configure_logging
from models import Role

log = logging.getLogger("bot")


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from models.db import make_engine, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def cmd_run(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from bot.coordination import single_process

    settings = load_settings(require_token=True)
    configure_logging(settings)
    if settings.webhook_url and settings.metrics_port == settings.webhook_port:
        raise ConfigError(
            "METRICS_PORT and WEBHOOK_PORT must differ: /healthz and /metrics have a server of their own."
        )
    # Before the migrations (and the bot's heavy imports): a second process on a SQLite file stops here at once.
    with single_process(settings):
        from bot.app import ALL_UPDATES, build_application
        from bot.runtime import RUNTIME_KEY

        engine = _engine(settings)
        app = build_application(settings, engine=engine)
        app.bot_data[RUNTIME_KEY].serving = True  # /healthz and /metrics on METRICS_PORT; the stop signals
        # Both modes stop on SIGINT/SIGTERM the same way: no new update is taken, the one in hand is
        # finished, conversation state is flushed, the outbox gives back what it has not sent, exit 0.
        if settings.webhook_url:
            path = urlsplit(settings.webhook_url).path
            log.info(
                "database ready, starting in webhook mode: listening on %s:%d%s for %s (secret token required)",
                settings.webhook_listen,
                settings.webhook_port,
                path or "/",
                settings.webhook_url,
            )
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALL_UPDATES,
            )
        else:
            log.info("database ready, starting in long-polling mode against %s", settings.api_url)
            app.run_polling(allowed_updates=ALL_UPDATES)
    log.info("stopped")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from models.db import current_revision

    settings = load_settings(require_token=False)
    configure_logging(settings)
    engine = _engine(settings)
    print(f"Database is at revision {current_revision(engine)}.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    import time

    from bot.runtime import system_clock
    from models.db import make_session_factory, unit_of_work
    from services.demo import LYON, seed_demo, seed_load_residents

    settings = load_settings(require_token=False)
    configure_logging(settings)
    engine = _engine(settings)

    with unit_of_work(make_session_factory(engine)) as session:
        created = seed_demo(session, now=system_clock(), rounds=settings.bcrypt_rounds)
    total = sum(created.values())
    if total:
        print("Demo data created: " + ", ".join(f"{n} {kind}" for kind, n in created.items() if n) + ".")
    else:
        print("Demo data already present: nothing created.")
    if args.residents:
        started = time.perf_counter()
        with unit_of_work(make_session_factory(engine)) as session:
            added = seed_load_residents(session, args.residents, now=system_clock(), rounds=settings.bcrypt_rounds)
        elapsed = time.perf_counter() - started
        print(
            f"Generated residents: {added} added to {LYON} ({args.residents - added} already there), "
            f"linked to Telegram ids 1000001..{1_000_000 + args.residents}, in {elapsed:.1f} s."
        )
    return 0


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("between 0 and 1000000")
    return value


def cmd_invite(args: argparse.Namespace) -> int:
    from bot.persistence import recall
    from bot.runtime import system_clock
    from models.db import make_session_factory, unit_of_work
    from services.auth import create_invitation
    from services.errors import DomainError, InvalidInput, NotFound

    settings = load_settings(require_token=False)
    configure_logging(settings)
    engine = _engine(settings)
    sessions = make_session_factory(engine)
    try:
        with unit_of_work(sessions) as session:
            created = create_invitation(
                session,
                email=args.email,
                residence_name=args.residence,
                role=Role(args.role),
                apartment=args.apartment,
                now=system_clock(),
                rounds=settings.bcrypt_rounds,
            )
    except NotFound:
        print(
            f"No residence named {args.residence!r}. Check the name (seed-demo creates "
            "'Les Belles Années Lyon' and 'Les Belles Années Bordeaux').",
            file=sys.stderr,
        )
        return 2
    except InvalidInput as error:
        print(f"Invalid {error.field}: {error.reason}.", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"Refused: {error}", file=sys.stderr)
        return 2
    username = settings.bot_username or recall(sessions, "bot_username")
    print(
        f"Invitation for {created.email} ({created.role.value}, {created.residence}), "
        f"valid until {created.expires_at:%Y-%m-%d %H:%M} UTC, single use:"
    )
    if username:
        print(f"https://t.me/{username}?start={created.code}")
    else:
        print(f"https://t.me/<your_bot>?start={created.code}")
        print("(Set TELEGRAM_BOT_USERNAME, or run the bot once, to get the bot's name in the link.)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.backup import backup

    settings = load_settings(require_token=False)
    configure_logging(settings)
    path = backup(settings, args.to or settings.backup_dir)
    print(f"Backup written: {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.backup import restore

    settings = load_settings(require_token=False)
    configure_logging(settings)
    return restore(settings, args.file, assume_yes=args.yes)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.playground import run_demo

    return run_demo(fresh=args.fresh)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="LBA Bot, the residences' Telegram assistant.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply pending migrations, then run the bot (long polling)").set_defaults(fn=cmd_run)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations (keeps existing data)").set_defaults(fn=cmd_db_upgrade)
    seed = sub.add_parser("seed-demo", help="create the demo residences, accounts and data (idempotent)")
    seed.add_argument(
        "--residents",
        type=_count,
        default=0,
        metavar="N",
        help="also add N generated residents to the Lyon residence, linked to Telegram ids 1000001..1000000+N",
    )
    seed.set_defaults(fn=cmd_seed_demo)
    inv = sub.add_parser("invite", help="create a single-use invitation link valid 7 days")
    inv.add_argument("--email", required=True)
    inv.add_argument("--residence", required=True, help="residence name, e.g. 'Les Belles Années Lyon'")
    inv.add_argument("--role", choices=[Role.RESIDENT.value, Role.MANAGER.value], default=Role.RESIDENT.value)
    inv.add_argument("--apartment")
    inv.set_defaults(fn=cmd_invite)
    bk = sub.add_parser("backup", help="write a consistent backup of the database (SQLite file / PostgreSQL dump)")
    bk.add_argument("--to", metavar="DIR", help="directory to write it to (default: BACKUP_DIR, data/backups)")
    bk.set_defaults(fn=cmd_backup)
    rs = sub.add_parser("restore", help="replace the database's content with a backup (stop the bot first)")
    rs.add_argument("file", help="a file written by `backup`")
    rs.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rs.set_defaults(fn=cmd_restore)
    demo = sub.add_parser("demo", help="try the bot offline: a terminal chat with the real bot, no token needed")
    demo.add_argument("--fresh", action="store_true", help="start again from a new demo database")
    demo.set_defaults(fn=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.fn(args))
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
