"""list indexes: (scope column, id) so a page of a list never sorts every row in scope

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_candidates_owner_id", "candidates", ["owner", "id"]),
    ("ix_candidates_school_id_id", "candidates", ["school_id", "id"]),
    ("ix_vacancies_owner_id", "vacancies", ["owner", "id"]),
    ("ix_vacancies_employer_id_id", "vacancies", ["employer_id", "id"]),
    ("ix_vacancies_status_id", "vacancies", ["status", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
