"""The migrations build exactly the models' schema, and upgrading keeps the data."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

import models
from models import Residence
from models.db import current_revision, make_session_factory, unit_of_work, upgrade


def test_migrations_match_the_models(engine: Engine) -> None:
    # `engine` was built by running every migration from an empty database.
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), models.Base.metadata)
    assert diff == []
    assert set(sa.inspect(engine).get_table_names()) == set(models.Base.metadata.tables) | {"alembic_version"}


def test_upgrade_again_keeps_existing_rows(engine: Engine, demo: dict[str, int]) -> None:
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before
    with unit_of_work(make_session_factory(engine)) as session:
        assert session.scalar(sa.select(sa.func.count(Residence.id))) == 2
