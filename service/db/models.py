"""Mapped tables. Records are stored whole as JSON, with the fields lists filter on as columns.

The JSON is what the portal sent, validated; the columns exist only so that list filters and role
scopes are SQL ``WHERE`` clauses rather than a scan in Python.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: 64-bit on PostgreSQL; SQLite only autoincrements a column declared exactly ``INTEGER``
BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class VacancyRow(Base):
    __tablename__ = "vacancies"
    #: lists filter by scope and page in id order: (scope column, id) walks the index in order,
    #: where a single-column index needs a sort of every row in scope (87 ms → 1 ms at 50k)
    __table_args__ = (
        Index("ix_vacancies_owner_id", "owner", "id"),
        Index("ix_vacancies_employer_id_id", "employer_id", "id"),
        Index("ix_vacancies_status_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    employer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CandidateRow(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        Index("ix_candidates_owner_id", "owner", "id"),
        Index("ix_candidates_school_id_id", "school_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    school_id: Mapped[str | None] = mapped_column(String(128), index=True)
    major: Mapped[str | None] = mapped_column(String(500), index=True)
    graduation_year: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(String(16), index=True)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    school_id: Mapped[str | None] = mapped_column(String(128))
    employer_id: Mapped[str | None] = mapped_column(String(128))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutcomeRow(Base):
    """One recorded step of a placement; erased with the candidate (ON DELETE CASCADE)."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vacancy_id: Mapped[str] = mapped_column(String(128), index=True)
    candidate_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: copied from the records when recorded, so role scopes hold after a vacancy is deleted
    school_id: Mapped[str | None] = mapped_column(String(128), index=True)
    employer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    recorded_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who did what to whom, when: the target is a hash of its id, never personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_hash: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class ChangeRow(Base):
    """The change feed the index snapshot follows: replaying ``seq > last`` brings it up to date."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(128))
    op: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffUserRow(Base):
    """A person who signs in to the workspace: role and school or employer, argon2 hash only."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    school_id: Mapped[str | None] = mapped_column(String(128))
    employer_id: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrainingRow(Base):
    """A training programme (BLK, LPK, BBPLK) the labour office registered.

    ``skills`` holds canonical taxonomy skill keys where the typed skill resolved, and the typed
    text otherwise, so a suggestion compares keys the engine knows and nothing typed is lost.
    """

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    skills: Mapped[list[str]] = mapped_column(JSON)
    kecamatan_code: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    quota: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
