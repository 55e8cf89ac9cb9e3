"""``create_app()``: the FastAPI application, and the lifespan that builds the engine once.

Start-up order: migrate the database, then load the index in a background thread (from the live
snapshot plus the change feed, or by fitting from the database) so ``/healthz`` can answer 503
while it loads; a second thread follows changes other processes write and saves snapshots. On
shutdown a final snapshot is saved, so the next start replays nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from service import collector, logs
from service.api import openapi
from service.api.routes import candidates, keys, ops, outcomes, vacancies
from service.auth import RateLimiter
from service.config import Settings
from service.db.session import build_engine, session_factory, upgrade
from service.engine_gateway import EngineGateway, build_encoder, vector_backend
from service.metrics import Metrics
from service.middleware import ServiceMiddleware
from service.problems import install_handlers
from service.web import routes as web

log = logging.getLogger("cocok.service")

DESCRIPTION = """Job matching for Disnakertrans Kabupaten Serang and the BKK of its SMKs.

Every `/v1` call needs `Authorization: Bearer <api-key>`. Errors are `application/problem+json`.
"""


#: every router the app serves, in matching order (tests enumerate routes × roles from it)
ROUTERS = (ops.router, keys.router, vacancies.router, candidates.router, outcomes.router)


def api_routes() -> list[APIRoute]:
    """The app's API routes, flattened (FastAPI includes routers lazily)."""
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def create_app(settings: Settings | None = None, *, encoder: Any = None) -> FastAPI:
    """Build the app; ``encoder`` overrides ``settings.encoder`` (tests count its calls)."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.configure(settings.log_level)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        backend = vector_backend(settings)  # a missing or unreachable Milvus stops the start
        db = build_engine(settings.resolved_database_url)
        upgrade(db)
        sessions = session_factory(db)
        app.state.sessions = sessions
        stop = threading.Event()

        def load() -> None:
            try:
                enc = encoder if encoder is not None else build_encoder(settings)
                gateway = EngineGateway.start(settings, sessions, enc)
            except Exception as exc:
                app.state.load_error = type(exc).__name__
                log.exception("index failed to load")
                return
            app.state.gateway = gateway
            metrics.track_index(gateway.size)
            log.info("index ready", extra=gateway.size())
            if hasattr(enc, "start"):  # a deferred model loads now, behind the ready index
                enc.start()

        def follow() -> None:
            while not stop.wait(settings.sync_interval_s):
                gateway = app.state.gateway
                if gateway is None:
                    continue
                try:
                    with sessions() as session:
                        gateway.sync(session)
                    if gateway.snapshot_due():
                        gateway.save_snapshot(sessions)
                except Exception:
                    log.exception("background sync failed")

        loader = threading.Thread(target=load, name="cocok-index-load", daemon=True)
        follower = threading.Thread(target=follow, name="cocok-index-follow", daemon=True)
        loader.start()
        follower.start()
        try:
            yield
        finally:
            stop.set()
            loader.join()
            follower.join(timeout=30)
            if app.state.gateway is not None:
                try:
                    app.state.gateway.save_snapshot(sessions)
                except Exception:
                    log.exception("final snapshot failed")
            backend.close()
            db.dispose()
            collector.thaw()

    app = FastAPI(
        title="cocok",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.gateway = None
    app.state.load_error = None
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    install_handlers(app)
    openapi.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(ops.ASSETS_URL, StaticFiles(directory=ops.DOCS_ASSETS), name="docs-assets")
    web.install(app)  # the staff workspace: /masuk, /ruang (server-rendered, Indonesian)
    app.add_middleware(
        ServiceMiddleware,
        metrics=metrics,
        max_body=settings.max_body_bytes,
        max_upload=settings.max_upload_bytes,
    )
    return app
