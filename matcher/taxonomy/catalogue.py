"""Building the concept catalogue: SMK programs, study fields and their aliases.

Sources (all under matcher/data/taxonomy, see NOTICE.md): the Kurikulum Merdeka spectrum
(``spektrum_smk_konsentrasi.csv``), our English labels and ISCO map (``program_profiles.csv``),
our alias table for Kurikulum 2013 names and abbreviations still written by 2019–2024 graduates
(``program_aliases.csv``), and our higher-education study fields (``study_fields.csv``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from matcher.language.resources import read_csv_rows
from matcher.taxonomy.program import Program
from matcher.taxonomy.skills import SkillVocabulary

_MAX_SKILLS = 30
_FIELD_ALIAS = 0.95


@dataclass(frozen=True)
class Alias:
    """One way of writing a concept: ``text`` names ``code`` with ``confidence``."""

    text: str
    code: str
    confidence: float


@dataclass(frozen=True)
class Catalogue:
    """Programs and fields by code, every alias, and field → related-program weights."""

    programs: dict[str, Program]
    aliases: list[Alias]
    field_relations: dict[str, dict[str, float]]


def load_catalogue(skills: SkillVocabulary) -> Catalogue:
    """Read the shipped tables into :class:`Program` objects and an alias list."""
    spectrum = read_csv_rows("spektrum_smk_konsentrasi.csv")
    profiles = {row["code"]: row for row in read_csv_rows("program_profiles.csv")}
    extra_aliases: dict[str, list[Alias]] = defaultdict(list)
    for row in read_csv_rows("program_aliases.csv"):
        alias = Alias(row["alias"].lower(), row["code"], float(row["confidence"]))
        extra_aliases[alias.code].append(alias)

    names: dict[str, str] = {}
    bidang: dict[str, str] = {}
    konsentrasi: dict[str, list[str]] = defaultdict(list)
    for row in spectrum:
        code = row["program_code"]
        names[code] = row["program_keahlian"]
        bidang[code] = row["bidang_keahlian"]
        konsentrasi[code].append(row["konsentrasi_keahlian"])

    programs: dict[str, Program] = {}
    aliases: list[Alias] = []
    for code, name in names.items():
        profile = profiles[code]
        own = [Alias(name.lower(), code, 1.0)]
        own += [Alias(k.lower(), code, 1.0) for k in konsentrasi[code]]
        own += extra_aliases.get(code, [])
        aliases.extend(own)
        owned = skills.for_program(code)[:_MAX_SKILLS]
        programs[code] = Program(
            code=code,
            name=name,
            name_en=profile["name_en"],
            bidang=bidang[code],
            kind="smk",
            konsentrasi=tuple(konsentrasi[code]),
            aliases=tuple(dict.fromkeys(a.text for a in own)),
            skills_id=tuple(s.label_id for s in owned),
            skills_en=tuple(s.label_en for s in owned),
            isco_groups=tuple(g for g in profile["isco_groups"].split(";") if g),
        )

    field_relations: dict[str, dict[str, float]] = {}
    for row in read_csv_rows("study_fields.csv"):
        code = row["code"]
        related = {}
        for item in row["related"].split(";"):
            if item:
                target, weight = item.split(":")
                related[target] = float(weight)
        field_relations[code] = related
        own = [Alias(row["name"].lower(), code, 1.0)]
        own += [Alias(a.lower(), code, _FIELD_ALIAS) for a in row["aliases"].split("|") if a]
        aliases.extend(own)
        borrowed = [
            s
            for target, weight in sorted(related.items(), key=lambda kv: -kv[1])
            if weight >= 0.5 and not target.startswith("FIELD_")
            for s in skills.for_program(target)[:10]
        ]
        borrowed = list(dict.fromkeys(borrowed))[:_MAX_SKILLS]
        programs[code] = Program(
            code=code,
            name=row["name"],
            name_en=row["name_en"],
            bidang=row["family"],
            kind="field",
            konsentrasi=(),
            aliases=tuple(dict.fromkeys(a.text for a in own)),
            skills_id=tuple(s.label_id for s in borrowed),
            skills_en=tuple(s.label_en for s in borrowed),
            isco_groups=tuple(g for g in row["isco_groups"].split(";") if g),
        )
    return Catalogue(programs, aliases, field_relations)
