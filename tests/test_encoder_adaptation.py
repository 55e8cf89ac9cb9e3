"""Training pairs for adapting the encoder come from shipped text only, batched without clashes."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from matcher.demo import generate_demo
from matcher.encoder_adaptation import (
    TrainingPair,
    demo_pairs,
    length_buckets,
    taxonomy_pairs,
    unique_group_batches,
)
from matcher.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def pairs() -> list[TrainingPair]:
    return taxonomy_pairs(Taxonomy.load(), random.Random(1))


def test_taxonomy_pairs_cover_every_source_and_name_known_concepts(pairs) -> None:
    sources = Counter(p.source for p in pairs)
    assert set(sources) == {"alias", "skills", "occupation", "skill"}
    programs = Taxonomy.load().programs
    for p in pairs:
        assert p.anchor.strip() and p.positive.strip()
        assert p.group.startswith("skill:") or p.group in programs
    tkj = [p for p in pairs if p.source == "alias" and p.anchor == "tkj"]
    assert tkj and "Teknik Jaringan Komputer" in tkj[0].positive


def test_taxonomy_pairs_are_seeded(pairs) -> None:
    assert taxonomy_pairs(Taxonomy.load(), random.Random(1)) == pairs


def test_demo_pairs_are_each_vacancys_own_title_and_description() -> None:
    demo = generate_demo(seed=3, n_candidates=0, n_vacancies=12)
    got = demo_pairs(demo, max_chars=80)
    assert [p.anchor for p in got] == [v.title for v in demo.vacancies]
    for p, v in zip(got, demo.vacancies, strict=True):
        assert p.positive == v.description[:80]


def test_batches_never_hold_two_pairs_of_one_concept(pairs) -> None:
    batches = list(unique_group_batches(pairs, 32, random.Random(5)))
    assert len(batches) > 50
    for batch in batches:
        assert len(batch) == 32
        assert len({p.group for p in batch}) == 32
    seen = [id(p) for b in batches for p in b]
    assert len(seen) == len(set(seen))  # each pair at most once per pass


def test_batches_stop_when_too_few_concepts_are_left() -> None:
    same = [TrainingPair(f"a{i}", f"b{i}", "one", "alias") for i in range(10)]
    assert list(unique_group_batches(same, 2, random.Random(0))) == []
    with pytest.raises(ValueError, match="at least 2"):
        next(unique_group_batches(same, 1, random.Random(0)))


def test_length_buckets_split_long_texts_from_short() -> None:
    short = TrainingPair("tkj", "Teknik Jaringan Komputer", "X", "alias")
    long = TrainingPair("Operator", "x" * 500, "title:operator", "vacancy")
    assert length_buckets([short, long, short]) == [[short, short], [long]]
    assert length_buckets([short]) == [[short]]


@pytest.mark.slow
def test_fine_tune_moves_the_bundled_weights_and_keeps_rows_unit_length(pairs) -> None:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from benchmarks.encoder_adaptation import weights_digest
    from matcher.encoder import bundled_model_dir
    from matcher.encoder_adaptation import fine_tune

    model = SentenceTransformer(str(bundled_model_dir()), device="cpu", local_files_only=True)
    before = weights_digest(model)
    sample = random.Random(0).sample(pairs, 64)  # many concepts, so batches fill
    log = fine_tune(model, sample, seed=1, epochs=1, batch_size=8, max_seconds=120)
    assert log.steps >= 1 and np.isfinite(log.last_loss)
    assert weights_digest(model) != before
    rows = model.encode(["juru las", "akuntansi"], normalize_embeddings=True)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
