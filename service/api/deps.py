"""Dependencies: the session, the engine gateway and settings from ``app.state``.

They are ``async`` because none of them waits on anything: FastAPI runs every plain ``def``
dependency on a worker thread, and on a match request those hand-offs (two for a session, one
each for the gateway and the settings) cost more than the work. The one step that may do I/O,
closing a session that still holds a connection (a rollback, a round trip on PostgreSQL), goes
to a worker thread so the event loop never blocks on the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.config import Settings
from service.engine_gateway import EngineGateway
from service.problems import Problem


async def get_session(request: Request) -> AsyncIterator[Session]:
    session: Session = request.app.state.sessions()  # no connection until first used
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()  # nothing to roll back or return to the pool: no I/O


async def get_gateway(request: Request) -> EngineGateway:
    gateway: EngineGateway | None = request.app.state.gateway
    if gateway is None:
        raise Problem(
            503,
            "not-ready",
            "The index is still loading; retry shortly.",
            headers={"Retry-After": "5"},
        )
    return gateway


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
GatewayDep = Annotated[EngineGateway, Depends(get_gateway)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
