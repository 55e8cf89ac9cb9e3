"""Where the service finds the learned scorer, and the outcomes it trains on.

The artifacts live under ``Settings.models_dir`` (``COCOK_MODELS_DIR``, default ``./models``,
relative to where the service runs). At start the service scores with the
registry's choice (the pinned artifact, else the newest that beat the default on its holdout);
if there is none, or the chosen one fails its hash check, it scores with the default and says so
in the log: a bad model file must never keep the service from starting.
"""

from __future__ import annotations

import logging
from datetime import UTC
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import ArtifactError
from matcher.learning import ModelRegistry, OutcomeEvent, OutcomeScorer
from service.config import Settings
from service.db.models import OutcomeRow

log = logging.getLogger("cocok.service")


def models_dir(settings: Settings) -> Path:
    return settings.models_dir


def registry(settings: Settings) -> ModelRegistry:
    return ModelRegistry(models_dir(settings))


def learned_scorer(settings: Settings) -> OutcomeScorer:
    """The scorer to serve with: the registry's choice, or the default one."""
    try:
        scorer = registry(settings).scorer()
    except (ArtifactError, OSError) as exc:
        log.warning("learned scorer unusable, using the default", extra={"error": str(exc)})
        return OutcomeScorer(None, name="default")
    log.info("scorer chosen", extra={"scorer": scorer.name})
    return scorer


def read_outcomes(session: Session) -> list[OutcomeEvent]:
    """Every recorded outcome, oldest first, in the engine's event form."""
    rows = session.scalars(select(OutcomeRow).order_by(OutcomeRow.at, OutcomeRow.id))
    return [
        OutcomeEvent(
            vacancy_id=row.vacancy_id,
            candidate_id=row.candidate_id,
            status=row.status,
            at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
            reason=row.reason,
        )
        for row in rows
    ]
