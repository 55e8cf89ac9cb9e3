"""Adapting the bundled English MiniLM to Indonesian vocational text, from shipped data only.

The bundled encoder never saw "TKRO", "juru las" or "OTKP". Fine-tuning it on pairs that say what
those words mean might lift the dense signal, but only if the pairs come from text we ship and
never from anything we evaluate on: the taxonomy (program names, Kurikulum 2013 aliases and
abbreviations, typical skills, skill synonyms, occupation keywords and ISCO labels) and the demo
generator's vacancy titles beside their own descriptions. ``benchmarks/encoder_adaptation.py``
measures whether it helps.

Training is a plain torch loop with in-batch negatives (the multiple-negatives ranking loss of
Henderson et al. 2017, as in sentence-transformers' ``MultipleNegativesRankingLoss``) over the
model's own forward pass: sentence-transformers' trainer needs the ``datasets`` package, which
this project does not install. Batches never hold two pairs of the same concept, so an alias is
never pushed away from its own program as a "negative".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matcher.language.resources import read_csv_rows

if TYPE_CHECKING:
    from matcher.demo import DemoData
    from matcher.taxonomy import Taxonomy

#: Typical skills per program shown in one "program → skills" pair (of up to 30 it owns).
SKILLS_PER_PAIR = 6


@dataclass(frozen=True)
class TrainingPair:
    """``anchor`` and ``positive`` mean the same thing; ``group`` names the concept they share."""

    anchor: str
    positive: str
    group: str
    source: str


def taxonomy_pairs(taxonomy: Taxonomy, rng: random.Random) -> list[TrainingPair]:
    """Pairs from the shipped taxonomy: every way of naming a program or skill, and its meaning."""
    pairs: list[TrainingPair] = []
    isco = {row["code"]: row["label"] for row in read_csv_rows("isco_groups.csv")}
    for code, program in sorted(taxonomy.programs.items()):
        if program.kind != "smk":
            continue
        label = f"{program.name} ({program.name_en})"
        for alias in program.aliases:
            if alias != program.name.lower():
                pairs.append(TrainingPair(alias, label, code, "alias"))
        skills = list(zip(program.skills_id, program.skills_en, strict=True))
        for start in range(0, len(skills), SKILLS_PER_PAIR):
            chunk = skills[start : start + SKILLS_PER_PAIR]
            if len(chunk) < 2:
                continue
            text = ", ".join(rng.choice(pair) for pair in chunk)
            pairs.append(TrainingPair(f"Lulusan {program.name}", text, code, "skills"))
        for group in program.isco_groups:
            if group in isco:
                pairs.append(TrainingPair(isco[group], label, code, "occupation"))
    for row in read_csv_rows("occupation_keywords.csv"):
        target, _, weight = row["targets"].split(";")[0].partition(":")
        named = taxonomy.programs.get(target)
        if named is not None and float(weight or 1.0) >= 1.0:
            label = f"{named.name} ({named.name_en})"
            pairs.append(TrainingPair(f"Lowongan {row['phrase']}", label, target, "occupation"))
    for row in read_csv_rows("skills.csv"):
        label = f"{row['label_id']} ({row['label_en']})"
        for synonym in filter(None, row["synonyms"].split(";")):
            pairs.append(TrainingPair(synonym.strip(), label, "skill:" + row["key"], "skill"))
    return pairs


def demo_pairs(demo: DemoData, max_chars: int = 300) -> list[TrainingPair]:
    """Each generated vacancy's title beside its own description (no truth map is read)."""
    return [
        TrainingPair(v.title, v.description[:max_chars], "title:" + v.title.lower(), "vacancy")
        for v in demo.vacancies
    ]


def unique_group_batches(
    pairs: Sequence[TrainingPair], batch_size: int, rng: random.Random
) -> Iterator[list[TrainingPair]]:
    """Shuffled batches in which no two pairs share a group (no false in-batch negatives)."""
    if batch_size < 2:
        raise ValueError(f"batch_size must be at least 2, got {batch_size}.")
    pending = list(pairs)
    rng.shuffle(pending)
    while len(pending) >= batch_size:
        batch: list[TrainingPair] = []
        groups: set[str] = set()
        rest: list[TrainingPair] = []
        for pair in pending:
            if len(batch) < batch_size and pair.group not in groups:
                batch.append(pair)
                groups.add(pair.group)
            else:
                rest.append(pair)
        if len(batch) < batch_size:
            return  # too few distinct groups left for a full batch
        yield batch
        pending = rest


def length_buckets(
    pairs: Sequence[TrainingPair], long_chars: int = 120
) -> list[list[TrainingPair]]:
    """Short pairs apart from long ones: a batch pads to its longest text, and on two shared
    CPU cores a taxonomy batch padded to a vacancy description costs three times as much.
    """
    short = [p for p in pairs if max(len(p.anchor), len(p.positive)) <= long_chars]
    long = [p for p in pairs if max(len(p.anchor), len(p.positive)) > long_chars]
    return [bucket for bucket in (short, long) if bucket]


@dataclass
class TrainingLog:
    steps: int
    pairs_seen: int
    seconds: float
    first_loss: float
    last_loss: float
    stopped_early: bool


def fine_tune(
    model: Any,
    pairs: Sequence[TrainingPair],
    *,
    seed: int,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 2e-5,
    scale: float = 20.0,
    max_seq_length: int = 64,
    max_seconds: float = 600.0,
    progress: Callable[[int, int, float], None] | None = None,
) -> TrainingLog:
    """Fine-tune a SentenceTransformer in place with in-batch negatives, symmetric loss.

    ``scale`` is the inverse temperature on cosine similarities (sentence-transformers' default);
    ``max_seconds`` caps the wall clock so the run stays within a CPU budget, and the log says
    when it stopped early.
    """
    import torch

    rng = random.Random(seed)
    torch.manual_seed(seed)
    model.max_seq_length = max_seq_length
    batches = [
        batch
        for _ in range(epochs)
        for bucket in length_buckets(pairs)
        for batch in unique_group_batches(bucket, batch_size, rng)
    ]
    rng.shuffle(batches)
    if not batches:
        raise ValueError("not enough distinct pairs for one batch")
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: (
            (step + 1) / warmup
            if step < warmup
            else max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))
        ),
    )
    device = next(model.parameters()).device
    prepare = getattr(model, "preprocess", None) or model.tokenize  # renamed in s-t 6

    def embed(texts: list[str]) -> Any:
        features = prepare(texts)
        features = {k: v.to(device) if torch.is_tensor(v) else v for k, v in features.items()}
        out = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(out, dim=-1)

    model.train()
    started = time.perf_counter()
    losses: list[float] = []
    stopped = False
    for step, batch in enumerate(batches):
        if time.perf_counter() - started > max_seconds:
            stopped = True
            break
        a = embed([p.anchor for p in batch])
        b = embed([p.positive for p in batch])
        logits = scale * a @ b.T
        labels = torch.arange(len(batch), device=device)
        loss = (
            torch.nn.functional.cross_entropy(logits, labels)
            + torch.nn.functional.cross_entropy(logits.T, labels)
        ) / 2
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, len(batches), losses[-1])
    model.eval()
    return TrainingLog(
        steps=len(losses),
        pairs_seen=len(losses) * batch_size,
        seconds=round(time.perf_counter() - started, 1),
        first_loss=losses[0] if losses else float("nan"),
        last_loss=sum(losses[-10:]) / len(losses[-10:]) if losses else float("nan"),
        stopped_early=stopped,
    )
