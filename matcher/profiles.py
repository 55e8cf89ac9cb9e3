"""What the engine derives from one record before any pair is scored.

Every signal about a single record (its programs, skills, tokens, coordinates, the requirements
its prose states, the text the encoder sees) is computed once on upsert, so a query only combines
precomputed pieces. Protected wording (gender, religion, marital status) is scrubbed from the
text every signal sees and kept only as a flag for staff.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from matcher.geo import Gazetteer
from matcher.language import protected_wording, scrub_protected, tokenize
from matcher.records import Candidate, EducationLevel, Vacancy
from matcher.requirements import levels_from_minimum, read_requirements

if TYPE_CHECKING:
    from matcher.taxonomy import Taxonomy

#: The encoder truncates long inputs anyway; keep the most informative part first.
MAX_ENCODER_CHARS = 1200


def _interned(tokens: Iterable[str]) -> tuple[str, ...]:
    """One shared string per distinct token: a profile keeps ~100 tokens from a vocabulary of a
    few thousand, so at a million records this saves gigabytes (values are unchanged)."""
    return tuple(map(sys.intern, tokens))


@dataclass(frozen=True)
class CandidateProfile:
    programs: tuple[tuple[str, float], ...]
    skills: frozenset[str]
    tokens: tuple[str, ...]
    text: str
    coordinates: tuple[float, float] | None


@dataclass(frozen=True)
class VacancyProfile:
    programs: dict[str, float]
    major_programs: tuple[str, ...]
    majors_required: bool
    skills: frozenset[str]
    tokens: tuple[str, ...]
    text: str
    coordinates: tuple[float, float] | None
    education_levels: tuple[EducationLevel, ...]
    age_min: int | None
    age_max: int | None
    protected_wording: tuple[str, ...] = field(default=())


P = TypeVar("P", CandidateProfile, VacancyProfile)


def without_text(profile: P) -> P:
    """The profile as the engine keeps it: ``text`` is the encoder's input, needed only until
    the record is embedded, and at ~800 bytes a record it was a fifth of a candidate's memory."""
    return replace(profile, text="")


def _scrubbed(items: Iterable[str]) -> list[str]:
    """Each list item without protected wording; an item that was nothing else is dropped."""
    out = []
    for item in items:
        clean = scrub_protected(item)
        if clean != item:  # untouched items stay exactly as written
            clean = clean.strip(" ,.;:/")
        if clean:
            out.append(clean)
    return out


class Profiler:
    """Turns records into profiles with one taxonomy and one gazetteer."""

    def __init__(self, taxonomy: Taxonomy, gazetteer: Gazetteer) -> None:
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer

    def _label(self, code: str) -> str:
        return self.taxonomy.programs[code].name

    def candidate(self, c: Candidate) -> CandidateProfile:
        level = c.education_level.value.lower() if c.education_level else None
        programs = tuple(self.taxonomy.resolve_major(c.major, level=level)) if c.major else ()
        codes = [code for code, _ in programs[:2]]
        # protected wording is scrubbed from every text a signal reads, lists included
        experience = ". ".join(_scrubbed(e.title for e in c.experience))
        free_text = scrub_protected(" . ".join(filter(None, [experience, c.summary or ""])))
        listed = ", ".join(_scrubbed([*c.skills, *c.certifications]))
        skills = frozenset(self.taxonomy.extract_skills(" . ".join([listed, free_text])))
        program_names = " ".join(self._label(code) for code in codes)
        token_text = " . ".join([c.major or "", program_names, listed, free_text])
        encoder_text = ". ".join(
            part
            for part in [
                self.taxonomy.concept_text(codes) if codes else (c.major or ""),
                f"Keahlian: {listed}" if listed else "",
                f"Pengalaman: {experience}" if experience else "",
                scrub_protected(c.summary or ""),
            ]
            if part
        )
        return CandidateProfile(
            programs=programs,
            skills=skills,
            tokens=_interned(tokenize(token_text)),
            text=encoder_text[:MAX_ENCODER_CHARS],
            coordinates=self.gazetteer.resolve(c.location),
        )

    def vacancy(self, v: Vacancy) -> VacancyProfile:
        prose = f"{v.title}. {v.description}"
        flagged = tuple(protected_wording(prose))  # staff see the flag; no signal sees the words
        clean = scrub_protected(prose)
        title = scrub_protected(v.title)
        listed = _scrubbed(v.skills)
        stated = read_requirements(v.description)
        major_programs: list[str] = []
        any_major = False
        for major in v.majors:
            if self.taxonomy.is_any_major(major):
                any_major = True
                continue
            major_programs.extend(
                code for code, conf in self.taxonomy.resolve_major(major) if conf >= 0.5
            )
        text_for_programs = " . ".join([title, title, " ".join(v.majors), " ".join(listed), clean])
        programs = dict(self.taxonomy.programs_for_text(text_for_programs))
        for code in major_programs:  # what the employer listed outranks what we infer
            programs[code] = max(programs.get(code, 0.0), 1.0)
        majors_required = (
            bool(major_programs)
            and not any_major
            and (v.majors_required if v.majors_required is not None else stated.majors_insisted)
        )
        if v.education_levels:
            levels = tuple(v.education_levels)
        elif stated.education_min is not None:
            levels = tuple(levels_from_minimum(stated.education_min))
        else:
            levels = ()
        skills = frozenset(self.taxonomy.extract_skills(" . ".join([", ".join(listed), clean])))
        top = sorted(programs, key=lambda code: -programs[code])[:3]
        program_names = " ".join(self._label(code) for code in top)
        token_text = " . ".join(
            [title, title, " ".join(v.majors), " ".join(listed), program_names, clean]
        )
        encoder_text = ". ".join(
            part
            for part in [
                title,
                self.taxonomy.concept_text(top) if top else "",
                ", ".join(listed),
                clean,
            ]
            if part
        )
        return VacancyProfile(
            programs=programs,
            major_programs=tuple(dict.fromkeys(major_programs)),
            majors_required=majors_required,
            skills=skills,
            tokens=_interned(tokenize(token_text)),
            text=encoder_text[:MAX_ENCODER_CHARS],
            coordinates=self.gazetteer.resolve(v.location),
            education_levels=levels,
            age_min=v.age_min if v.age_min is not None else stated.age_min,
            age_max=v.age_max if v.age_max is not None else stated.age_max,
            protected_wording=flagged,
        )


# -- snapshot form ---------------------------------------------------------------------------
# A snapshot keeps each profile so a restart need not run the language pipeline again. Tokens
# are stored apart (as ids into the BM25 vocabulary, see ``matcher.snapshot_state``); the rest
# is plain JSON whose floats round-trip exactly.


def vacancy_profile_to_json(p: VacancyProfile) -> dict[str, Any]:
    return {
        "programs": p.programs,
        "major_programs": list(p.major_programs),
        "majors_required": p.majors_required,
        "skills": sorted(p.skills),
        "coordinates": list(p.coordinates) if p.coordinates is not None else None,
        "education_levels": [level.value for level in p.education_levels],
        "age_min": p.age_min,
        "age_max": p.age_max,
        "protected_wording": list(p.protected_wording),
    }


def vacancy_profile_from_json(data: dict[str, Any], tokens: tuple[str, ...]) -> VacancyProfile:
    coords = data["coordinates"]
    return VacancyProfile(
        programs={str(code): float(conf) for code, conf in data["programs"].items()},
        major_programs=tuple(data["major_programs"]),
        majors_required=bool(data["majors_required"]),
        skills=frozenset(data["skills"]),
        tokens=tokens,
        text="",
        coordinates=(float(coords[0]), float(coords[1])) if coords is not None else None,
        education_levels=tuple(EducationLevel(level) for level in data["education_levels"]),
        age_min=data["age_min"],
        age_max=data["age_max"],
        protected_wording=tuple(data["protected_wording"]),
    )
