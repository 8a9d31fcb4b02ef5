"""index incident_followers by user

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "My incidents" looks followers up by user; the primary key leads with the incident.
    with op.batch_alter_table("incident_followers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_followers_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_followers_user_id"))
