"""Request and response bodies of the HTTP API, separate from the engine's record types.

Record bodies themselves are validated by ``matcher.records`` (the contract's fields, unknown
fields rejected), so a spreadsheet import and a PUT agree on what is valid.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["admin", "portal", "bkk", "employer"]
OutcomeStatus = Literal["shortlisted", "contacted", "interviewed", "hired", "rejected", "withdrawn"]
OutcomeReason = Literal[
    "skill_mismatch",
    "education_mismatch",
    "experience",
    "location",
    "salary",
    "no_response",
    "hired_other",
    "other",
]


#: the largest list offset accepted: far beyond any table, and inside a 64-bit SQL integer
MAX_OFFSET = 1_000_000_000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyCreate(_Body):
    role: Role
    school_id: str | None = Field(default=None, max_length=128)
    employer_id: str | None = Field(default=None, max_length=128)
    label: str | None = Field(default=None, max_length=200)


class KeyCreated(BaseModel):
    id: str
    key: str


class KeyInfo(BaseModel):
    id: str
    role: Role
    school_id: str | None = None
    employer_id: str | None = None
    label: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None

    @field_validator("created_at", "revoked_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """SQLite hands back naive datetimes; they were written in UTC, so say so (RFC 3339)."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class BatchIn(_Body):
    items: list[Any]


class BatchError(BaseModel):
    index: int
    id: Any = None
    errors: list[dict[str, Any]]


class BatchOut(BaseModel):
    upserted: int
    errors: list[BatchError]


class CandidateMatch(BaseModel):
    candidate_id: str
    score: float
    reasons: list[str]
    flags: list[str] | None = None
    contact: dict[str, Any] | None = None


class VacancyMatch(BaseModel):
    vacancy_id: str
    score: float
    reasons: list[str]
    flags: list[str] | None = None


class VacancyMatches(BaseModel):
    vacancy_id: str
    items: list[CandidateMatch]


class CandidateMatches(BaseModel):
    candidate_id: str
    items: list[VacancyMatch]


class Explanation(BaseModel):
    vacancy_id: str
    candidate_id: str
    score: float
    eligible: bool
    reasons: list[str]
    blocked_by: list[str]
    flags: list[str]


class OutcomeIn(_Body):
    vacancy_id: str = Field(min_length=1, max_length=128)
    candidate_id: str = Field(min_length=1, max_length=128)
    status: OutcomeStatus
    reason: OutcomeReason | None = None
    at: datetime | None = None


class Outcome(BaseModel):
    id: str
    vacancy_id: str
    candidate_id: str
    status: OutcomeStatus
    reason: OutcomeReason | None = None
    at: datetime


class Page(BaseModel):
    """One page in id order; ``next_offset`` is ``null`` on the last page."""

    items: list[dict[str, Any]]
    next_offset: int | None


class OutcomePage(BaseModel):
    items: list[Outcome]
    next_offset: int | None


class ProblemDetail(BaseModel):
    """RFC 9457 problem details: the body of every 4xx/5xx answer."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": ProblemDetail,
        "content": {"application/problem+json": {}},
    }


#: error answers every /v1 route may give, documented once for the OpenAPI document
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("The body is not valid JSON"),
    401: _problem("Missing, unknown or revoked API key"),
    403: _problem("The key's role or scope does not allow this"),
    404: _problem("No such record, or not visible to this key"),
    413: _problem("Request body too large"),
    422: _problem("Validation failed; `errors` lists `{loc, msg}`"),
    429: _problem("Too many requests for this key"),
}

#: what only a spreadsheet upload may answer besides the above
IMPORT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    415: _problem("Not a .csv, .xlsx or .json file"),
}
