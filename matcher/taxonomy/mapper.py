"""The concept mapper: free text → programs with confidence.

Two directions with different texts. A candidate's major is short and written many ways
("TKRO", "Otomotif (TBSM)", "SMK jurusan tkj", "Akutansi"): ``MajorResolver`` matches it against
every alias, tolerating word order, extra words and misspellings. A vacancy is long and rarely
names a major; it names a job, tasks and tools: ``VacancyMapper`` combines explicit majors
(strong when they follow "jurusan"/"lulusan"/"SMK"/"S1"), job-title keywords and skills.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Iterable

from matcher.language import Language
from matcher.language.resources import read_word_list, read_word_roles
from matcher.taxonomy.catalogue import Alias
from matcher.taxonomy.employer_sentences import EmployerSentences, sentences
from matcher.taxonomy.occupations import OccupationKeywords
from matcher.taxonomy.phrases import PhraseIndex
from matcher.taxonomy.skills import SkillVocabulary

_MAJOR_WINDOW = 6
_CONNECTORS = frozenset({"dan", "atau", "serta", "maupun", "in", "of", "or", "and"})
_MIN_MAJOR_SCORE = 0.35
_OTHER_KIND = 0.85
_OTHER_KIND_IN_VACANCY = 0.6
_MAX_EVIDENCE = 0.95
_TITLE_WEIGHT = 1.0
_BODY_WEIGHT = 0.8
_COMPANY_WEIGHT = 0.3
_SKILL_WEIGHT = 0.35


class MajorResolver:
    """Resolves a written major to concept codes, best first, with confidence in [0, 1]."""

    def __init__(self, language: Language, aliases: list[Alias], kinds: dict[str, str]) -> None:
        self._language = language
        self._kinds = kinds
        self.words = read_word_roles("major_context_words.csv")
        frame = self.words["frame"]
        self.index: PhraseIndex[tuple[str, float]] = PhraseIndex()
        self._alias_sets: list[tuple[frozenset[str], str, float]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for alias in aliases:
            terms = [t for t in language.phrase_terms(alias.text) if t not in frame]
            if not terms:
                continue
            self.index.add(terms, (alias.code, alias.confidence))
            slot = len(self._alias_sets)
            self._alias_sets.append((frozenset(terms), alias.code, alias.confidence))
            for term in set(terms):
                postings[term].append(slot)
        self._postings = dict(postings)
        total = max(len(self._alias_sets), 1)
        self._idf = {t: math.log(1 + total / len(s)) for t, s in postings.items()}
        self._vocabulary = sorted(postings)
        self._any_major = language.phrase_pattern(read_word_list("any_major_phrases.txt"))
        self._cache: dict[tuple[str, str | None], list[tuple[str, float]]] = {}

    def is_any_major(self, text: str) -> bool:
        """True when the text says any major is accepted ("semua jurusan", "all majors")."""
        return bool(self._any_major.search(self._language.normalise(text)))

    def resolve(self, text: str, level: str | None = None) -> list[tuple[str, float]]:
        """Concept codes for a candidate's major, best first; ``[]`` for "semua jurusan"/unknown."""
        key = (text.strip().lower(), level)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(text, level)
            if len(self._cache) < 50_000:
                self._cache[key] = cached
        return list(cached)

    def _resolve(self, text: str, level: str | None) -> list[tuple[str, float]]:
        normalised = self._language.normalise(text)
        if not normalised or self._any_major.search(normalised):
            return []
        tokens = normalised.split()
        terms = [
            t
            for t in self._language.phrase_terms_of(tokens)
            if t not in self.words["frame"] and not t.isdigit()
        ]
        if not terms:
            return []
        scores = self.score_terms(terms)
        if not scores or max(scores.values()) < 1.0:
            corrected = self._correct(terms)
            if corrected != terms:
                for code, value in self.score_terms(corrected).items():
                    scores[code] = max(scores.get(code, 0.0), value * 0.9)
        higher_ed = self.words["higher"]
        higher = _mentions(tokens, higher_ed) or (level or "").lower() in higher_ed
        scores = prefer_kind(scores, self._kinds, "field" if higher else "smk")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(code, round(score, 4)) for code, score in ranked if score >= _MIN_MAJOR_SCORE][:5]

    def score_terms(self, terms: list[str]) -> dict[str, float]:
        """Alias evidence for a short term list: exact, phrase coverage, and set overlap."""
        scores: dict[str, float] = {}
        for code, conf in self.index.get(terms):
            scores[code] = max(scores.get(code, 0.0), conf)
        if scores:
            return scores
        matches = self.index.scan(terms)
        covered = sum(m.end - m.start for m in matches)
        coverage = covered / len(terms)
        for match in matches:
            for code, conf in match.payloads:
                value = conf * (0.5 + 0.5 * coverage)
                scores[code] = max(scores.get(code, 0.0), value)
        for code, value in self._overlap(terms).items():
            scores[code] = max(scores.get(code, 0.0), value)
        return scores

    def _overlap(self, terms: list[str]) -> dict[str, float]:
        """IDF-weighted Jaccard between the term set and each alias (handles word order)."""
        query = set(terms)
        candidates = {slot for t in query for slot in self._postings.get(t, ())}
        scores: dict[str, float] = {}
        for slot in candidates:
            alias_terms, code, conf = self._alias_sets[slot]
            inter = sum(self._idf.get(t, 1.0) for t in alias_terms & query)
            union = sum(self._idf.get(t, 1.0) for t in alias_terms | query)
            value = conf * inter / union if union else 0.0
            if value > scores.get(code, 0.0):
                scores[code] = value
        return scores

    def _correct(self, terms: list[str]) -> list[str]:
        """Replace unknown terms by the closest alias vocabulary word (typos: "akutansi")."""
        out = []
        for term in terms:
            if term in self._postings or len(term) < 4:
                out.append(term)
                continue
            close = difflib.get_close_matches(term, self._vocabulary, n=1, cutoff=0.8)
            out.append(close[0] if close else term)
        return out


class VacancyMapper:
    """Maps vacancy text to program confidences from majors, job titles and skills.

    ``employer`` tells the sentences about the employer apart (the shipped word lists by default).
    """

    def __init__(
        self,
        language: Language,
        majors: MajorResolver,
        keywords: OccupationKeywords,
        skills: SkillVocabulary,
        kinds: dict[str, str],
        employer: EmployerSentences | None = None,
    ) -> None:
        self._language = language
        self._majors = majors
        self._keywords = keywords
        self._skills = skills
        self._kinds = kinds
        self._employer = employer or EmployerSentences.load(language)

    def programs_for_text(self, text: str, limit: int = 10) -> dict[str, float]:
        """Program confidences in [0, 1] (best first); weak and marginal programs dropped.

        Each sentence is weighted: the first (usually the job title) fully, the body a little
        less, and sentences describing the employer ("bergerak di bidang …") weakly.
        """
        explicit: dict[str, float] = defaultdict(float)
        stated: dict[str, float] = defaultdict(float)
        keyword_evidence: dict[tuple[tuple[str, ...], str], float] = {}
        skill_evidence: dict[str, float] = {}
        all_tokens: list[str] = []
        first = True
        for segment in sentences(text):
            tokens = self._language.normalise(segment).split()
            if not tokens:
                continue
            all_tokens.extend(tokens)
            if self._employer.describes_employer(tokens):
                weight = _COMPANY_WEIGHT
            else:
                weight = _TITLE_WEIGHT if first else _BODY_WEIGHT
            first = False
            terms, in_context = self._terms_with_context(tokens)
            self._scan_majors(segment, terms, in_context, weight, explicit, stated)
            for phrase, payloads in self._keywords.scan(terms).items():
                for code, strength in payloads:
                    key = (phrase, code)
                    keyword_evidence[key] = max(keyword_evidence.get(key, 0.0), strength * weight)
            for skill in self._skills.extract(tokens):
                skill_evidence[skill] = max(skill_evidence.get(skill, 0.0), weight)
        keyword: dict[str, float] = defaultdict(float)
        for (_, code), strength in keyword_evidence.items():
            _noisy_or(keyword, code, strength)
        skill_scores: dict[str, float] = defaultdict(float)
        for skill, weight in skill_evidence.items():
            owners = self._skills.skills[skill].programs
            for code in owners:
                _noisy_or(skill_scores, code, weight * _SKILL_WEIGHT / math.sqrt(len(owners)))
        level = _level_preference(all_tokens, self._majors.words)
        explicit_pref = prefer_kind(dict(explicit), self._kinds, level, _OTHER_KIND_IN_VACANCY)
        combined: dict[str, float] = {}
        for code in set(explicit) | set(keyword) | set(skill_scores):
            miss = (1 - explicit_pref.get(code, 0.0)) * (1 - keyword.get(code, 0.0))
            miss *= 1 - 0.8 * skill_scores.get(code, 0.0)
            combined[code] = 1 - miss
        if stated and max(stated.values()) >= 0.8:
            for code in combined:
                if code not in stated:
                    combined[code] *= 0.6
        return _prune(combined, limit)

    def _scan_majors(
        self,
        segment: str,
        terms: list[str],
        in_context: list[bool],
        weight: float,
        explicit: dict[str, float],
        stated: dict[str, float],
    ) -> None:
        """Majors named in one sentence: strong after a cue ("jurusan", "S1"), weak elsewhere."""
        any_major = self._majors.is_any_major(segment)
        for match in self._majors.index.scan(terms):
            cued = any(in_context[match.start : match.end])
            if any_major and cued:
                continue
            uncued = 0.55 if match.end - match.start > 1 else 0.3
            for code, conf in match.payloads:
                _noisy_or(explicit, code, conf * weight * (1.0 if cued else uncued))
                if cued and weight >= _BODY_WEIGHT:
                    stated[code] = max(stated[code], conf)

    def _terms_with_context(self, tokens: list[str]) -> tuple[list[str], list[bool]]:
        """Terms of a segment, each flagged when it follows a major cue (jurusan, SMK, S1 …).

        The cue's reach ends after a few words or at the first boilerplate word ("menguasai",
        "memahami"), so "S1 Akuntansi, menguasai laporan keuangan" cues only "Akuntansi".
        """
        terms: list[str] = []
        flags: list[bool] = []
        window = 0
        stopwords = self._language.stopwords
        cues = self._majors.words["cue"]
        for token in tokens:
            if token in cues:
                window = _MAJOR_WINDOW
            elif token in stopwords and token not in _CONNECTORS:
                window = 0
            term = self._language.phrase_terms_of([token])
            if term:
                terms.append(term[0])
                flags.append(window > 0)
            if token not in cues:
                window = max(window - 1, 0)
        return terms, flags


def prefer_kind(
    scores: dict[str, float], kinds: dict[str, str], preferred: str, factor: float = _OTHER_KIND
) -> dict[str, float]:
    """Down-weight the other concept kind when both SMK programs and fields matched."""
    present = {kinds.get(code) for code in scores}
    if len(present) < 2 or preferred == "both":
        return scores
    return {c: s if kinds.get(c) == preferred else s * factor for c, s in scores.items()}


def _level_preference(tokens: list[str], words: dict[str, frozenset[str]]) -> str:
    school = _mentions(tokens, words["school"])
    higher = _mentions(tokens, words["higher"])
    if school and higher:
        return "both"
    return "field" if higher else "smk"


def _mentions(tokens: Iterable[str], words: frozenset[str]) -> bool:
    return any(t in words for t in tokens)


def _noisy_or(scores: dict[str, float], code: str, weight: float) -> None:
    """Combine independent evidence; one piece never saturates to 1, so more evidence ranks."""
    weight = min(max(weight, 0.0), _MAX_EVIDENCE)
    scores[code] = 1 - (1 - scores.get(code, 0.0)) * (1 - weight)


def _prune(scores: dict[str, float], limit: int) -> dict[str, float]:
    if not scores:
        return {}
    best = max(scores.values())
    floor = max(0.12, 0.2 * best)
    ranked = sorted(
        ((c, s) for c, s in scores.items() if s >= floor), key=lambda kv: (-kv[1], kv[0])
    )
    return {code: round(min(score, 1.0), 4) for code, score in ranked[:limit]}
