"""The ``Program`` concept: one SMK program keahlian or one higher-education study field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Program:
    """One concept both candidates and vacancies are mapped to.

    SMK programs use the spectrum's ``program_code``
    (``TEKNIK_PENGELASAN_DAN_FABRIKASI_LOGAM``); study fields for D3/S1 job seekers use
    ``FIELD_…`` codes. ``name_en`` and ``skills_en`` exist because the bundled encoder only
    understands English.
    """

    code: str
    name: str
    name_en: str
    bidang: str
    kind: Literal["smk", "field"]
    konsentrasi: tuple[str, ...]
    aliases: tuple[str, ...]
    skills_id: tuple[str, ...]
    skills_en: tuple[str, ...]
    isco_groups: tuple[str, ...]
