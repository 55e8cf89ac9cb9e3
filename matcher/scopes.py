"""Scopes a caller can hand the engine as ``include=`` that it can answer from its columns.

Any ``Callable[[record], bool]`` works as ``include``, but the engine must then read each record
it considers, and when a scope leaves too few in the pool, every stored record. Candidates are
kept packed (``matcher.record_shelf``), so that full pass costs ~25 µs a record: seconds at a
million. The commonest scopes are columns instead: a BKK officer's own school, and the people
an employer (or a portal acting for employers) may be shown. The engine selects their slots
with vectorised comparisons and never unpacks a record to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.columns import CandidateColumns, Today
from matcher.eligibility import ages
from matcher.records import Candidate

#: From this age a person's own consent suffices to be shown to employers (UU PDP).
ADULT_AGE = 18


def employer_may_see(candidate: Candidate, today: date) -> bool:
    """Consent to share, plus a guardian's for a minor; unknown age counts as a minor (UU PDP)."""
    if not candidate.consent.share_with_employers:
        return False
    age = candidate.age_on(today)
    if age is None or age < ADULT_AGE:
        return candidate.consent.guardian_consent is True
    return True


@dataclass(frozen=True)
class SchoolScope:
    """Only the students and alumni of one school (by its id, e.g. the NPSN)."""

    school_id: str
    #: a school is a small share of everyone, so the engine ranks within it at once: the whole
    #: population's pool would hold some of its members, not surely its best
    rank_within = True

    def __call__(self, candidate: Candidate) -> bool:
        return candidate.school_id is not None and candidate.school_id == self.school_id

    def mask(self, columns: CandidateColumns) -> np.ndarray:
        """Which slots (alive or not) hold this school's records, over ``[:columns.size]``."""
        return columns.school_mask(self.school_id)


@dataclass(frozen=True)
class ConsentScope:
    """Whom an employer (or a portal acting for employers) may be shown: people who agreed to
    be shared, with a guardian's consent too for a minor or someone of unknown age, plus the
    ``owned`` records a portal registered itself.

    Most of a population may consent, so the engine ranks the usual pool and keeps those in
    scope; the mask spares it unpacking records, which mattered most when a pool held fewer than
    ``k`` of them and every stored record was tested (~2 s at 100k candidates).
    """

    today: date
    owned: frozenset[str] = frozenset()

    def __call__(self, candidate: Candidate) -> bool:
        return candidate.id in self.owned or employer_may_see(candidate, self.today)

    def mask(self, columns: CandidateColumns) -> np.ndarray:
        """Which slots (alive or not) are in scope, over ``[:columns.size]``: the same rule as
        ``employer_may_see``, from the consent and birth-date columns."""
        n, a = columns.size, columns.arrays
        born = {"birth_year": a["birth_year"][:n], "birth_md": a["birth_md"][:n]}
        years = ages(born, Today.of(self.today))
        with np.errstate(invalid="ignore"):
            adult = years >= ADULT_AGE  # NaN (unknown age) is not adult
        ok = a["share"][:n] & (adult | a["guardian"][:n])
        if self.owned:
            slot_of = columns.slot_of
            ok[[slot_of[i] for i in self.owned if i in slot_of]] = True
        return np.asarray(ok, dtype=bool)
