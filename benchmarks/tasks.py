"""Benchmark tasks built from the measuring-only data in ``../shared/data/eval``.

A :class:`Task` is records (candidates, vacancies), the query ids and the qrels. Builders return
``None`` with a reason when their data is absent, so ``make eval`` runs wherever it can. Nothing
here writes eval text anywhere: records live in memory for the run only.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from matcher.records import Candidate, EducationLevel, Vacancy

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels" / "vacancy_programs_pass1.csv"
#: The independent second annotator: the same protocol, never shown pass 1.
LABELS_PASS2 = HERE / "labels" / "vacancy_programs_pass2.csv"
PROFILES = HERE / "profiles" / "candidates.jsonl"
SAMPLE_SIZE, SAMPLE_SEED = 240, 2026
MAGANGHUB_MIN_VACANCIES, MAGANGHUB_MAX_QUERIES = 5, 150


@dataclass
class Task:
    name: str
    title: str
    direction: Literal["candidate_to_vacancy", "vacancy_to_candidate"]
    candidates: list[Candidate]
    vacancies: list[Vacancy]
    query_ids: list[str]
    qrels: dict[str, dict[str, int]]
    metrics: list[str]
    notes: str = ""
    #: vacancy ids whose education requirement excludes an SMK graduate (task a's check)
    excludes_smk: set[str] = field(default_factory=set)


def default_eval_dir(repo_root: Path) -> Path:
    return repo_root.parent / "shared" / "data" / "eval"


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# ---------------------------------------------------------------- Loker.id (tasks a and b)

_FLAG_LEVELS = {
    "SMA/SMK/STM": [EducationLevel.SMA, EducationLevel.SMK],
    "Diploma/D1/D2/D3": [EducationLevel.D1, EducationLevel.D2, EducationLevel.D3],
    "Sarjana/S1": [EducationLevel.S1, EducationLevel.D4],
    "Master/S2": [EducationLevel.S2],
    "Doctor/S3": [EducationLevel.S3],
}


def lokerid_sample(eval_dir: Path) -> pd.DataFrame | None:
    """The 240 labelled postings: exactly the sample both annotators drew."""
    path = eval_dir / "lokerid_2025" / "job_postings_processed.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path)
    return df.sort_values("Job ID").sample(n=SAMPLE_SIZE, random_state=SAMPLE_SEED)


def lokerid_vacancy(row: pd.Series) -> Vacancy:
    """A posting as a Vacancy; all education flags 0 means any level (an empty list)."""
    levels = [lvl for col, lvls in _FLAG_LEVELS.items() if row[col] == 1 for lvl in lvls]
    low, high = _num(row["Min Salary"]), _num(row["Max Salary"])
    low = int(low) if low and low > 0 else None
    high = int(high) if high and high > 0 else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Vacancy(
        id=str(row["Job ID"]),
        title=str(row["Title"])[:300],
        description=str(row["Description"])[:20_000] or str(row["Title"]),
        education_levels=levels,
        min_experience_years=min(float(_num(row["Min Experience"]) or 0), 60.0),
        salary_min=low,
        salary_max=high,
        status="open",
    )


def read_labels(path: Path = LABELS) -> dict[str, dict[str, int]]:
    """``{job_id: {program_code: grade}}``; NONE rows give an empty dict (labelled, no fit)."""
    labels: dict[str, dict[str, int]] = {}
    for row in pd.read_csv(path, dtype=str).itertuples(index=False):
        grades = labels.setdefault(str(row.job_id), {})
        if row.program_code != "NONE":
            grades[str(row.program_code)] = int(row.grade)
    return labels


def read_profiles(path: Path = PROFILES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def profile_candidate(p: dict[str, Any]) -> Candidate:
    """The profile without its ``program`` answer key: the matcher sees only what a person wrote."""
    fields = {key: value for key, value in p.items() if key != "program"}
    return Candidate(status="seeking", **fields)


def lokerid_tasks(
    eval_dir: Path, labels_path: Path = LABELS, suffix: str = ""
) -> tuple[list[Task], str]:
    """Tasks a and b; ``labels_path``/``suffix`` give the same tasks judged by pass 2."""
    sample = lokerid_sample(eval_dir)
    if sample is None:
        return [], "Loker.id data absent"
    if not labels_path.exists() or not PROFILES.exists():
        return [], "labels or profiles file absent"
    labels = read_labels(labels_path)
    sample = sample[sample["Job ID"].astype(str).isin(labels)]
    vacancies = [lokerid_vacancy(row) for _, row in sample.iterrows()]
    profiles = read_profiles()
    candidates = [profile_candidate(p) for p in profiles]
    program_of = {p["id"]: p["program"] for p in profiles}
    excludes = {
        v.id
        for v in vacancies
        if v.education_levels and EducationLevel.SMK not in v.education_levels
    }
    # A posting closed to SMK graduates is not relevant to an SMK profile whatever its program
    # fit: the candidate cannot apply, and the engine is right to filter it out.
    by_job = {v.id: ({} if v.id in excludes else labels[v.id]) for v in vacancies}
    labelled_programs = {code for grades in by_job.values() for code in grades}
    c2v_queries = [c.id for c in candidates if program_of[c.id] in labelled_programs]
    c2v_qrels = {
        q: {job: g[program_of[q]] for job, g in by_job.items() if program_of[q] in g}
        for q in c2v_queries
    }
    v2c_queries = [job for job, g in by_job.items() if any(x > 0 for x in g.values())]
    v2c_qrels = {
        job: {
            c.id: by_job[job][program_of[c.id]]
            for c in candidates
            if program_of[c.id] in by_job[job]
        }
        for job in v2c_queries
    }
    metrics = ["ndcg@10", "map", "mrr", "recall@10", "recall@50"]
    judged_by = f" ({suffix[1:]} labels)" if suffix else ""
    a = Task(
        "lokerid_c2v" + suffix,
        "a. Loker.id: candidate profile → vacancies" + judged_by,
        "candidate_to_vacancy",
        candidates,
        vacancies,
        c2v_queries,
        c2v_qrels,
        metrics,
        f"{len(c2v_queries)} profiles × {len(vacancies)} labelled postings "
        f"({len(excludes)} closed to SMK, judged not relevant)",
        excludes,
    )
    b = Task(
        "lokerid_v2c" + suffix,
        "b. Loker.id: vacancy → candidate profiles" + judged_by,
        "vacancy_to_candidate",
        candidates,
        vacancies,
        v2c_queries,
        v2c_qrels,
        metrics,
        f"{len(v2c_queries)} postings open to SMK with a fitting program × "
        f"{len(candidates)} profiles",
    )
    return [a, b], ""


# ---------------------------------------------------------------- MagangHub (task c)

_JENJANG = {"Sarjana": EducationLevel.S1, "Diploma": EducationLevel.D3}


def maganghub_task(eval_dir: Path) -> tuple[Task | None, str]:
    path = eval_dir / "maganghub_2025" / "maganghub_vacancies_2025-10.csv"
    if not path.exists():
        return None, "MagangHub data absent"
    df = pd.read_csv(path, dtype=str).fillna("")
    df = df[df["deskripsi_posisi"].str.strip().astype(bool) | df["posisi"].str.strip().astype(bool)]
    majors_of = {
        r.id_posisi: [m for m in r.program_studi.split("; ") if m] for r in df.itertuples()
    }
    counts = Counter(m for majors in majors_of.values() for m in set(majors))
    eligible = sorted(m for m, n in counts.items() if n >= MAGANGHUB_MIN_VACANCIES)
    rng = np.random.default_rng(SAMPLE_SEED)
    chosen = sorted(
        rng.choice(eligible, size=min(MAGANGHUB_MAX_QUERIES, len(eligible)), replace=False).tolist()
    )
    # Vacancy text is posisi + deskripsi only: program_studi never reaches the index.
    vacancies = [
        Vacancy(
            id=r.id_posisi,
            title=(r.posisi or "Magang")[:300],
            description=(r.deskripsi_posisi or r.posisi)[:20_000],
            status="open",
        )
        for r in df.itertuples()
    ]
    candidates, qrels = [], {}
    for i, major in enumerate(chosen):
        jobs = [job for job, majors in majors_of.items() if major in majors]
        levels = Counter(
            _JENJANG[j]
            for r in df[df["id_posisi"].isin(jobs)].itertuples()
            for j in r.jenjang.split("; ")
            if j in _JENJANG
        )
        level = levels.most_common(1)[0][0] if levels else EducationLevel.S1
        qid = f"mh{i:03d}"
        candidates.append(Candidate(id=qid, major=major, education_level=level, status="seeking"))
        qrels[qid] = dict.fromkeys(jobs, 1)
    task = Task(
        "maganghub_c2v",
        "c. MagangHub: study programme → internship vacancies",
        "candidate_to_vacancy",
        candidates,
        vacancies,
        [c.id for c in candidates],
        qrels,
        ["ndcg@10", "map", "mrr", "recall@10", "recall@50", "recall@100"],
        f"{len(candidates)} majors (of {len(eligible)} with ≥ {MAGANGHUB_MIN_VACANCIES} "
        f"vacancies) × {len(vacancies)} vacancies; floor TF-IDF nDCG@10 0.19, R@100 0.15",
    )
    return task, ""


# ---------------------------------------------------------------- TalentCLEF (task d)


def talentclef_task(eval_dir: Path) -> tuple[Task | None, str]:
    folder = eval_dir / "talentclef2026_taskA_dev_ro"
    if not (folder / "qrels.tsv").exists():
        return None, "TalentCLEF data absent"

    def read(name: str) -> list[dict[str, str]]:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]

    vacancies = []
    for q in read("queries.jsonl"):
        title = q["text"].strip().splitlines()[0][:300] or "job"
        vacancies.append(
            Vacancy(id=f"q{q['id']}", title=title, description=q["text"][:20_000], status="open")
        )
    candidates = [
        Candidate(id=f"r{d['id']}", summary=d["text"][:20_000], status="seeking")
        for d in read("corpus.jsonl")
    ]
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, doc, grade = line.split()
            qrels.setdefault(f"q{qid}", {})[f"r{doc}"] = int(grade)
    task = Task(
        "talentclef_v2c",
        "d. TalentCLEF 2026 A dev (Romanian): job → résumés",
        "vacancy_to_candidate",
        candidates,
        vacancies,
        [v.id for v in vacancies],
        qrels,
        ["ndcg@10", "map", "mrr", "recall@10", "recall@50", "recall@100"],
        f"{len(vacancies)} job descriptions × {len(candidates)} résumés (harness check)",
    )
    return task, ""


def program_codes() -> list[str]:
    """The 50 SMK program codes of the current spectrum (the labels' vocabulary)."""
    from importlib import resources

    path = resources.files("matcher").joinpath("data/taxonomy/spektrum_smk_konsentrasi.csv")
    with resources.as_file(path) as csv_path:
        codes = pd.read_csv(csv_path, dtype=str)["program_code"]
    return sorted(set(codes))
