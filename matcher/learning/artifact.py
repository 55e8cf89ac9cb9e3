"""Versioned artifacts of the learned scorer, their model cards, and the registry that picks one.

An artifact is a folder ``<models>/outcome-scorer-<UTC time>/`` holding ``model.json`` (the tree
ensemble as plain arrays: no pickle), ``card.json`` (what it was trained on, how it scored, the
sha256 of ``model.json``) and ``MODEL_CARD.md`` (the same for people). Loading checks the hash.

The registry serves the newest artifact whose holdout nDCG@10 beats the default scorer's, unless
one is pinned; ``rollback`` marks the one in use as rejected (in ``registry.json``, the only file
the registry writes), so the previous good one, or the default, takes over.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.errors import ArtifactError, ModelIntegrityError
from matcher.learning.outcome_scorer import OutcomeScorer, TreeEnsemble

if TYPE_CHECKING:  # training pulls in scikit-learn; the registry must load without it
    from matcher.learning.training import TrainingReport

KIND = "outcome-scorer"
CARD_FORMAT = "cocok-model-card/1"
STATE_FILE = "registry.json"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at else None


def build_card(report: TrainingReport, name: str, created: datetime) -> dict[str, Any]:
    """The JSON model card (without the model hash, added on save)."""
    from matcher.learning.training import METRIC  # already loaded: it made ``report``

    window = report.window
    return {
        "format": CARD_FORMAT,
        "name": name,
        "kind": KIND,
        "created_at": _iso(created),
        "code_version": {
            "cocok": _version("cocok"),
            "scikit-learn": _version("scikit-learn"),
            "numpy": _version("numpy"),
        },
        "data": {
            "first_outcome_at": _iso(window[0]) if window else None,
            "last_outcome_at": _iso(window[1]) if window else None,
            "holdout_from": _iso(report.holdout_from),
            "n_events": report.n_events,
            "n_train_pairs": report.n_train_pairs,
            "n_holdout_pairs": report.n_test_pairs,
        },
        "features": list(report.model.feature_names or []),
        "params": {
            k: v
            for k, v in report.model.get_params().items()
            if k not in ("feature_names", "prior_weights")
        },
        "prior_weights": dict(report.model.prior_weights or {}),
        "metrics": {"learned": report.learned, "default": report.default},
        "metric": METRIC,
        "gain": report.gain,
        "beats_default": report.beats_default,
    }


def card_markdown(card: dict[str, Any]) -> str:
    """The card for people: what, trained on what, how it compares with the default."""
    m, d = card["metrics"], card["data"]
    rows = "\n".join(
        f"| {key} | {m['learned'][key]:.4f} | {m['default'][key]:.4f} |"
        for key in (card["metric"], "map")
    )
    verdict = "beats" if card["beats_default"] else "does NOT beat"
    return f"""# Model card: {card["name"]}

Learned scorer (gradient-boosted trees starting from the default scorer) trained on recorded
placement outcomes. Created {card["created_at"]}; cocok {card["code_version"]["cocok"]},
scikit-learn {card["code_version"]["scikit-learn"]}.

## Data
- Outcomes from {d["first_outcome_at"]} to {d["last_outcome_at"]} ({d["n_events"]} events).
- Training pairs: {d["n_train_pairs"]}; held-out pairs: {d["n_holdout_pairs"]} (vacancies first
  shown from {d["holdout_from"]} on: a time-ordered holdout).

## Features
{", ".join(card["features"])}, plus the default score as the starting point.

## Holdout metrics (held-out vacancies, their shown candidates re-ranked)
| metric | learned | default |
|---|---|---|
{rows}

Relative {card["metric"]} gain: {card["gain"]:+.1%}; the learned scorer {verdict} the default,
so the registry {"may serve" if card["beats_default"] else "will not serve"} it.
Queries: {m["learned"]["n_vacancies"]:.0f} vacancies with at least one graded candidate.

Model file sha256: `{card.get("model_sha256", "")}`
"""


def save_artifact(report: TrainingReport, models_dir: Path, *, now: datetime | None = None) -> Path:
    """Write a new artifact folder (never overwrites one) and return its path."""
    created = (now or datetime.now(UTC)).astimezone(UTC)
    models_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{KIND}-{created.strftime('%Y%m%dT%H%M%SZ')}"
    name, n = stem, 1
    while (models_dir / name).exists():
        n += 1
        name = f"{stem}-{n}"
    tmp = models_dir / f".{name}.tmp"
    tmp.mkdir()
    model_path = tmp / "model.json"
    model_path.write_text(json.dumps(report.model.to_ensemble().to_json()), encoding="utf-8")
    card = build_card(report, name, created)
    card["model_sha256"] = _sha256(model_path)
    (tmp / "card.json").write_text(json.dumps(card, indent=1), encoding="utf-8")
    (tmp / "MODEL_CARD.md").write_text(card_markdown(card), encoding="utf-8")
    os.replace(tmp, models_dir / name)  # appears whole or not at all
    return models_dir / name


def read_card(path: Path) -> dict[str, Any]:
    try:
        card: dict[str, Any] = json.loads((path / "card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path}: unreadable model card ({exc})") from exc
    if card.get("format") != CARD_FORMAT:
        raise ArtifactError(f"{path}: not a cocok model card")
    return card


def load_artifact(path: Path) -> tuple[TreeEnsemble, dict[str, Any]]:
    """The model and its card; refuses a model file whose hash differs from the card's."""
    card = read_card(path)
    model_path = path / "model.json"
    if not model_path.is_file() or _sha256(model_path) != card.get("model_sha256"):
        raise ModelIntegrityError(f"{model_path}: sha256 differs from the model card")
    try:
        model = TreeEnsemble(json.loads(model_path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{model_path}: not a tree ensemble ({exc})") from exc
    return model, card


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    card: dict[str, Any] | None  # None: unreadable
    rejected: bool
    pinned: bool

    @property
    def eligible(self) -> bool:
        return self.card is not None and bool(self.card.get("beats_default")) and not self.rejected


class ModelRegistry:
    """The artifacts under one folder, and which one the service should score with."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = Path(models_dir)

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.models_dir / STATE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"rejected": [], "pinned": None}
        except ValueError as exc:
            raise ArtifactError(f"{self.models_dir / STATE_FILE} is not valid JSON") from exc
        return {"rejected": list(state.get("rejected", [])), "pinned": state.get("pinned")}

    def _write_state(self, state: dict[str, Any]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.models_dir / f".{STATE_FILE}.tmp"
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.models_dir / STATE_FILE)

    def entries(self) -> list[Entry]:
        """Every artifact, newest first."""
        if not self.models_dir.is_dir():
            return []
        state = self._state()
        out = []
        for path in self.models_dir.iterdir():
            if not path.is_dir() or not path.name.startswith(f"{KIND}-"):
                continue
            try:
                card: dict[str, Any] | None = read_card(path)
            except ArtifactError:
                card = None
            out.append(
                Entry(
                    path.name,
                    path,
                    card,
                    rejected=path.name in state["rejected"],
                    pinned=path.name == state["pinned"],
                )
            )
        # names carry the UTC creation time; the created_at field breaks same-second ties
        return sorted(
            out, key=lambda e: ((e.card or {}).get("created_at") or "", e.name), reverse=True
        )

    def chosen(self) -> Entry | None:
        """The pinned artifact if it is usable, else the newest that beats the default."""
        entries = self.entries()
        pinned = [e for e in entries if e.pinned and e.card is not None and not e.rejected]
        if pinned:
            return pinned[0]
        return next((e for e in entries if e.eligible), None)

    def scorer(self) -> OutcomeScorer:
        """The chosen artifact as a scorer, or the default scorer when there is none."""
        entry = self.chosen()
        if entry is None:
            return OutcomeScorer(None, name="default")
        model, card = load_artifact(entry.path)
        return OutcomeScorer(model, card["features"], name=entry.name)

    def rollback(self) -> Entry | None:
        """Reject the artifact in use (and drop its pin); returns the one that takes over."""
        current = self.chosen()
        if current is None:
            raise ArtifactError("no learned scorer is in use: nothing to roll back")
        state = self._state()
        state["rejected"] = sorted({*state["rejected"], current.name})
        if state["pinned"] == current.name:
            state["pinned"] = None
        self._write_state(state)
        return self.chosen()

    def pin(self, name: str) -> Entry:
        """Serve ``name`` whatever newer artifacts say (and un-reject it)."""
        entry = next((e for e in self.entries() if e.name == name), None)
        if entry is None or entry.card is None:
            raise ArtifactError(f"no usable artifact named {name!r} in {self.models_dir}")
        state = self._state()
        state["pinned"] = name
        state["rejected"] = [n for n in state["rejected"] if n != name]
        self._write_state(state)
        return self.chosen() or entry
