"""Engine and session factory, with SQLite set up for durability and migrations run at start.

SQLite runs in WAL mode with ``synchronous=FULL``: a 2xx response means the write reached the
disk, and readers never block the writer; ``secure_delete`` zeroes what an erasure deletes.
Migrations ship inside the package (``service/migrations``) so an installed wheel can upgrade
its own database without an ``alembic.ini`` beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: as many connections as the web server has worker threads (anyio's default is 40), so a burst
#: of requests never waits on the pool; connections are released before the engine is consulted
POOL = {"pool_size": 10, "max_overflow": 30}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # an erased person's bytes are overwritten, not left in free pages of the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def build_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine; for SQLite, make its folder and set the pragmas on connect."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **POOL
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **POOL)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade head`` on this engine, from the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
