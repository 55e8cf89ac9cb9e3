"""Ranking among the records a query may see, when candidate generation found too few of them.

Candidate generation (``matcher.candidate_pool``) does not know the hard requirements or the
caller's scope: a vacancy that takes only candidates within their own commute, or one school's
students, can find its pool (similar records from anywhere) nearly all excluded while hundreds
of records qualify. Here the qualifying records are found first (the scope, then every
requirement, vectorised a block at a time); a pool is drawn from them alone when they are many
(``candidate_pool.within_scope``), else all of them are ranked. A scope the columns answer
(one school's students) comes here at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import candidate_pool, eligibility, features
from matcher.candidate_pool import LexicalHits, ProgramFit
from matcher.columns import Today
from matcher.matches import Match

if TYPE_CHECKING:
    from matcher.engine import Matcher

#: Rows checked against the hard requirements at a time (bounds the query side's columns
#: repeated per row: ~13 MB at 50 programs).
ELIGIBILITY_BLOCK = 65_536


def eligible_among(
    m: Matcher, side: str, query_slot: int, slots: np.ndarray, today: Today
) -> np.ndarray:
    """The ``slots`` of ``side`` that no hard requirement blocks against the query record."""
    cc, vc = m.candidate_columns_, m.vacancy_columns_
    keep = [slots[:0]]
    for start in range(0, len(slots), ELIGIBILITY_BLOCK):
        part = slots[start : start + ELIGIBILITY_BLOCK]
        query = np.full(len(part), query_slot, dtype=np.int64)
        cand_slots, vac_slots = (part, query) if side == "candidate" else (query, part)
        c, v = cc.gather(cand_slots), vc.gather(vac_slots)
        checks = eligibility.check(c, v, features.distances(c, v), today)
        keep.append(part[eligibility.eligible(checks)])
    return np.concatenate(keep)


def rank_qualifying(
    m: Matcher,
    side: str,
    query_slot: int,
    *,
    query_vec: np.ndarray,
    lexical: LexicalHits,
    fit: ProgramFit,
    k: int,
    include: Callable[[Any], bool] | None,
    today: Today,
    exhaustive_limit: int,
) -> list[Match]:
    """The best ``k`` of ``side`` for the record in ``query_slot`` among those that qualify:
    in the caller's scope and blocked by no hard requirement."""
    cols = m.candidate_columns_ if side == "candidate" else m.vacancy_columns_
    records = m.candidates_ if side == "candidate" else m.vacancies_
    if include is None:
        members = cols.alive_slots()
    else:
        members = candidate_pool.scoped_slots(cols, records, include)
    members = eligible_among(m, side, query_slot, members, today)
    if len(members) > exhaustive_limit:
        pool = candidate_pool.within_scope(cols, members, query_vec, lexical, fit, m.pool_size)
        found = m._rank(side, query_slot, pool, k, include, today, lexical)
        if len(found) == k:
            return found
    members = candidate_pool.with_companion(cols, members)
    return m._rank(side, query_slot, members, k, include, today, lexical)
