"""Load the seeded Kabupaten Serang demo into an empty database and issue one key per role.

Demo records go through the same repository writes as the API (with change-feed rows), so the
server's start-up fits them exactly as it would real data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service import auth, demo_outcomes, demo_trainings
from service.db import repository
from service.db.models import ApiKeyRow

DEMO_LABEL = "demo"


def _revoke_previous(session: Session) -> None:
    """Each run prints fresh keys; the ones an earlier run printed stop working."""
    rows = session.scalars(
        select(ApiKeyRow).where(
            ApiKeyRow.revoked_at.is_(None),
            or_(ApiKeyRow.label == DEMO_LABEL, ApiKeyRow.label.like(f"{DEMO_LABEL}-%")),
        )
    )
    for row in rows:
        auth.revoke_key(session, row.id)


@dataclass(frozen=True)
class DemoKeys:
    keys: dict[str, str]  # role -> key
    school_id: str
    employer_id: str
    loaded: bool
    counts: dict[str, int]
    #: role -> (username, password) of the demo staff accounts for the browser workspace
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)


def load_demo(
    session: Session,
    *,
    seed: int = 7,
    n_schools: int = 12,
    n_candidates: int = 600,
    n_vacancies: int = 120,
    history: bool = True,
) -> DemoKeys:
    """Fill an empty database with demo data (skipped when records exist) and create keys.

    ``history`` adds half a year of simulated shortlists and placements (service/demo_outcomes)
    so the office's charts and the BKK reports have something to show; load benchmarks turn it
    off to keep their database what their plan says.
    """
    from matcher.demo import generate_demo

    # Dated from today, so deadlines and ages in the demo are current whenever it is run.
    data = generate_demo(
        seed=seed,
        n_schools=n_schools,
        n_candidates=n_candidates,
        n_vacancies=n_vacancies,
        as_of=date.today(),
    )
    empty = (
        repository.count(session, "candidate") == 0 and repository.count(session, "vacancy") == 0
    )
    if empty:
        for candidate in data.candidates:
            repository.upsert(session, candidate, "portal:demo")
        for vacancy in data.vacancies:
            repository.upsert(session, vacancy, "portal:demo")
        if history:
            demo_outcomes.seed(session, data, seed=seed)
    demo_trainings.seed(session, date.today())  # example BLK/LPK trainings, once
    _revoke_previous(session)
    school_id = data.schools[0].id
    employer_id = data.employers[0].id
    keys: dict[str, str] = {}
    plan: tuple[tuple[auth.Role, dict[str, str]], ...] = (
        ("admin", {}),
        ("portal", {"label": DEMO_LABEL}),
        ("bkk", {"school_id": school_id}),
        ("employer", {"employer_id": employer_id}),
    )
    for role, extra in plan:
        _, key = auth.create_key(
            session,
            role,
            label=extra.get("label", f"{DEMO_LABEL}-{role}"),
            school_id=extra.get("school_id"),
            employer_id=extra.get("employer_id"),
        )
        keys[role] = key
    accounts = _demo_accounts(session, school_id, employer_id)
    session.commit()
    return DemoKeys(
        keys=keys,
        school_id=school_id,
        employer_id=employer_id,
        loaded=empty,
        counts={
            "candidate": repository.count(session, "candidate"),
            "vacancy": repository.count(session, "vacancy"),
            "outcome": demo_outcomes.count(session),
        },
        accounts=accounts,
    )


def _demo_accounts(
    session: Session, school_id: str, employer_id: str
) -> dict[str, tuple[str, str]]:
    """One staff account per workspace role, with a fresh password each run (like the keys)."""
    from service.web import accounts as staff

    out: dict[str, tuple[str, str]] = {}
    for role, scope in (("bkk", school_id), ("employer", employer_id), ("admin", None)):
        username, password = f"{DEMO_LABEL}-{role}", secrets.token_urlsafe(9)
        if not staff.set_password(session, username, password):
            staff.create_user(
                session,
                username,
                password,
                role,
                school_id=scope if role == "bkk" else None,
                employer_id=scope if role == "employer" else None,
            )
        out[role] = (username, password)
    return out
