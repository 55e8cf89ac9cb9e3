"""The generator's vocabulary, read from ``matcher/data/demo/*.json`` (never from the taxonomy)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Tables:
    programs: dict[str, dict[str, Any]]
    occupations: dict[str, dict[str, Any]]
    names: dict[str, list[str]]
    world: dict[str, Any]
    text: dict[str, Any]

    @classmethod
    def load(cls) -> Tables:
        base = resources.files("matcher") / "data" / "demo"

        def read(name: str) -> dict[str, Any]:
            doc = json.loads((base / name).read_text(encoding="utf-8"))
            return {k: v for k, v in doc.items() if not k.startswith("_")}

        return cls(
            programs=read("programs.json"),
            occupations=read("occupations.json"),
            names=read("names.json"),
            world=read("world.json"),
            text=read("text.json"),
        )
