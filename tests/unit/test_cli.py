"""The operator's commands, run as `python -m bot ...` would run them (in-process)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cli import main
from models import Invitation, Residence, User
from models.db import make_session_factory, unit_of_work
from tests.conftest import _head


@pytest.fixture
def cli_env(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Engine:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LBA_BCRYPT_ROUNDS", "4")
    return engine


def test_db_upgrade_and_seed_demo_twice(cli_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert f"revision {_head()}" in capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    assert "Demo data created: 2 residences" in capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    assert "nothing created" in capsys.readouterr().out
    with unit_of_work(make_session_factory(cli_env)) as session:
        assert session.scalar(sa.select(sa.func.count(Residence.id))) == 2


def test_seed_demo_residents_adds_only_the_missing_ones(cli_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo", "--residents", "5"]) == 0
    out = capsys.readouterr().out
    assert "Demo data created" in out and "Generated residents: 5 added to Les Belles Années Lyon" in out
    assert "1000001..1000005" in out
    assert main(["seed-demo", "--residents", "5"]) == 0
    out = capsys.readouterr().out
    assert "nothing created" in out and "Generated residents: 0 added" in out
    assert main(["seed-demo", "--residents", "3"]) == 0
    assert "Generated residents: 0 added" in capsys.readouterr().out
    assert main(["seed-demo", "--residents", "12"]) == 0
    assert "Generated residents: 7 added" in capsys.readouterr().out
    with unit_of_work(make_session_factory(cli_env)) as session:
        linked = session.scalars(
            sa.select(User.telegram_id).where(User.email.like("%@load.lba.demo")).order_by(User.telegram_id)
        ).all()
    assert linked == list(range(1000001, 1000013))


def test_seed_demo_refuses_a_negative_count(cli_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["seed-demo", "--residents", "-3"])
    assert exit_.value.code == 2 and "--residents" in capsys.readouterr().err


def test_invite_prints_a_deep_link_and_stores_only_a_hash(
    cli_env: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["seed-demo"])
    capsys.readouterr()
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "lba_residence_bot")
    code = main(
        [
            "invite",
            "--email",
            "Odette@Example.fr",
            "--residence",
            "Les Belles Années Lyon",
            "--role",
            "resident",
            "--apartment",
            "D03",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    link = re.search(r"https://t\.me/lba_residence_bot\?start=([A-Za-z0-9_-]+)", out)
    assert link is not None and len(link.group(1)) <= 64  # Telegram's limit for a start parameter
    with unit_of_work(make_session_factory(cli_env)) as session:
        invitation = session.scalar(sa.select(Invitation))
        assert invitation is not None and invitation.email == "odette@example.fr" and invitation.apartment == "D03"
        assert link.group(1) not in invitation.code_hash and invitation.code_hash.startswith("$2")


def test_invite_without_a_known_bot_name_explains(cli_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    main(["seed-demo"])
    assert main(["invite", "--email", "a@b.fr", "--residence", "Les Belles Années Bordeaux"]) == 0
    assert "https://t.me/<your_bot>?start=" in capsys.readouterr().out


def test_invite_refuses_an_unknown_residence_and_a_bad_email(
    cli_env: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["seed-demo"])
    assert main(["invite", "--email", "a@b.fr", "--residence", "Nulle Part"]) == 2
    assert "No residence named 'Nulle Part'" in capsys.readouterr().err
    assert main(["invite", "--email", "pas-un-email", "--residence", "Les Belles Années Lyon"]) == 2
    assert "Invalid email" in capsys.readouterr().err


def test_run_without_a_token_stops_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in err and "@BotFather" in err and "demo" in err
