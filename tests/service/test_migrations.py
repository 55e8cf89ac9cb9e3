"""The migrations build exactly the schema the models describe: indexes included, so a model
change without its migration (or the reverse) fails here, not in production."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.db.models import Base
from service.db.session import build_engine, upgrade


def test_migrated_schema_equals_the_models(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'cocok.sqlite3'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
