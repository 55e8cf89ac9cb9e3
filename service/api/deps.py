"""Dependencies: the session, the engine gateway and settings from ``app.state``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.config import Settings
from service.engine_gateway import EngineGateway
from service.problems import Problem


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_gateway(request: Request) -> EngineGateway:
    gateway: EngineGateway | None = request.app.state.gateway
    if gateway is None:
        raise Problem(
            503,
            "not-ready",
            "The index is still loading; retry shortly.",
            headers={"Retry-After": "5"},
        )
    return gateway


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
GatewayDep = Annotated[EngineGateway, Depends(get_gateway)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
