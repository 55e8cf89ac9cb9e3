"""Recorded outcomes and the training labels they imply.

An outcome event has the shape the service stores (``POST /v1/outcomes``): a vacancy, a
candidate, a status, a reason for a rejection and a time. One (vacancy, candidate) pair usually
has several events (shortlisted, then contacted, interviewed, hired or rejected); its label comes
from how far it got and, for a rejection, why:

============================  ======  ======  =====  =====================================
how the pair ended             target  weight  grade  why
============================  ======  ======  =====  =====================================
hired                          1.00    1.0     3      the employer chose this candidate
interviewed (then anything)    0.67    1.0     2      the employer wanted to meet them
contacted                      0.33    1.0     1      picked from the list
rejected: hired_other          0.33    1.0     1      fit enough; someone else was chosen
rejected: no_response / other  0.15    0.5     0      says little about the fit
shortlisted only               0.10    0.5     0      shown and not picked: a weak negative
rejected: experience/location/ 0.05    1.0     0      a named shortfall, graded a little
salary                                                above a mismatch
rejected: skill / education    0.00    1.0     0      the candidate does not fit the job
============================  ======  ======  =====  =====================================

A rejection after contact or an interview keeps that step's credit unless its reason is a
mismatch.
``withdrawn`` (the candidate's choice) says nothing about the fit: such pairs are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATUSES = ("shortlisted", "contacted", "interviewed", "hired", "rejected", "withdrawn")
REASONS = (
    "skill_mismatch",
    "education_mismatch",
    "experience",
    "location",
    "salary",
    "no_response",
    "hired_other",
    "other",
)
_STAGE = {"shortlisted": (0.10, 0.5, 0), "contacted": (0.33, 1.0, 1)}
_STAGE |= {"interviewed": (0.67, 1.0, 2), "hired": (1.0, 1.0, 3)}
_REJECTED = {
    "skill_mismatch": (0.0, 1.0, 0),
    "education_mismatch": (0.0, 1.0, 0),
    "experience": (0.05, 1.0, 0),
    "location": (0.05, 1.0, 0),
    "salary": (0.05, 1.0, 0),
    "no_response": (0.15, 0.5, 0),
    "other": (0.15, 0.5, 0),
    "hired_other": (0.33, 1.0, 1),
}
_ORDER = {"shortlisted": 0, "contacted": 1, "interviewed": 2, "hired": 3}


@dataclass(frozen=True)
class OutcomeEvent:
    vacancy_id: str
    candidate_id: str
    status: str
    at: datetime  # timezone-aware UTC
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"unknown rejection reason {self.reason!r}")

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> OutcomeEvent:
        """Read the service's JSON form (``at`` as ISO 8601; naive times are taken as UTC)."""
        at = doc["at"]
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        return cls(
            vacancy_id=str(doc["vacancy_id"]),
            candidate_id=str(doc["candidate_id"]),
            status=str(doc["status"]),
            at=when if when.tzinfo else when.replace(tzinfo=UTC),
            reason=doc.get("reason"),
        )

    def to_json(self) -> dict[str, Any]:
        out = {
            "vacancy_id": self.vacancy_id,
            "candidate_id": self.candidate_id,
            "status": self.status,
            "at": self.at.isoformat(),
        }
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class PairLabel:
    vacancy_id: str
    candidate_id: str
    target: float  # in [0, 1], what the scorer learns to predict
    weight: float  # how much the pair counts in training
    grade: int  # 0-3, the relevance grade for nDCG/MAP
    first_at: datetime  # when the pair was first shown: orders the holdout in time
    last_at: datetime


def label_pairs(events: Iterable[OutcomeEvent]) -> list[PairLabel]:
    """One label per (vacancy, candidate) pair, in order of first appearance in time."""
    grouped: dict[tuple[str, str], list[OutcomeEvent]] = {}
    for event in sorted(events, key=lambda e: e.at):
        grouped.setdefault((event.vacancy_id, event.candidate_id), []).append(event)
    labels = []
    for (vid, cid), items in grouped.items():
        label = _label(items)
        if label is None:
            continue
        target, weight, grade = label
        labels.append(PairLabel(vid, cid, target, weight, grade, items[0].at, items[-1].at))
    return labels


def _label(items: list[OutcomeEvent]) -> tuple[float, float, int] | None:
    if any(e.status == "withdrawn" for e in items):
        return None
    steps = [e.status for e in items if e.status in _ORDER]
    reached = max(steps, key=lambda status: _ORDER[status]) if steps else None
    stage = _STAGE[reached] if reached else None
    rejection = next((e for e in reversed(items) if e.status == "rejected"), None)
    if rejection is None or reached == "hired":
        return stage
    by_reason = _REJECTED[rejection.reason or "other"]
    if stage is None or reached == "shortlisted" or by_reason[0] == 0.0:
        return by_reason  # a reason given outweighs being shown; a mismatch outweighs anything
    return max(stage, by_reason)
