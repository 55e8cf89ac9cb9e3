"""The traffic of a working day, for ``python -m benchmarks.load`` (locust, headless).

Three kinds of caller, each with its own API key, as in production: portal integrations (most
of the traffic: matches both ways, explanations, record reads, list pages and a few upserts), BKK
officers (their own students' matches and records, a shortlist outcome now and then) and employers
(candidates for their own vacancies). Every caller pauses 0.5–1.5 s between requests, like a
person or a polite sync job, so 20 callers make roughly 15–20 requests per second in all.

The ids and keys come from the JSON file named by ``COCOK_LOAD_PLAN`` (written by
``benchmarks.load``), so every request asks about something that exists and is in the caller's
scope: any non-2xx answer is an error of the service, not of the load.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

_PLAN: dict[str, Any] = json.loads(open(os.environ["COCOK_LOAD_PLAN"]).read())  # noqa: SIM115
_SEQ = itertools.count()


def _key(role: str) -> dict[str, str]:
    """Each simulated caller takes the next key of its role (round robin)."""
    keys = _PLAN["keys"][role]
    return {"Authorization": f"Bearer {keys[next(_SEQ) % len(keys)]}"}


class Portal(HttpUser):
    """A portal integration (Sikeras, Karirhub feed): reads and writes the records it owns."""

    weight = 14
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.headers = _key("portal")
        self.rng = random.Random()

    @task(5)
    def vacancy_matches(self) -> None:
        vid = self.rng.choice(_PLAN["open_vacancies"])
        self.client.get(
            f"/v1/vacancies/{vid}/matches?k=20",
            headers=self.headers,
            name="/v1/vacancies/{id}/matches",
        )

    @task(5)
    def candidate_matches(self) -> None:
        cid = self.rng.choice(_PLAN["seeking_candidates"])
        self.client.get(
            f"/v1/candidates/{cid}/matches?k=20",
            headers=self.headers,
            name="/v1/candidates/{id}/matches",
        )

    @task(2)
    def explain(self) -> None:
        vid = self.rng.choice(_PLAN["open_vacancies"])
        cid = self.rng.choice(_PLAN["seeking_candidates"])
        self.client.get(
            f"/v1/vacancies/{vid}/matches/{cid}",
            headers=self.headers,
            name="/v1/vacancies/{id}/matches/{candidate_id}",
        )

    @task(3)
    def get_record(self) -> None:
        if self.rng.random() < 0.5:
            cid = self.rng.choice(_PLAN["seeking_candidates"])
            self.client.get(
                f"/v1/candidates/{cid}", headers=self.headers, name="/v1/candidates/{id}"
            )
        else:
            vid = self.rng.choice(_PLAN["open_vacancies"])
            self.client.get(f"/v1/vacancies/{vid}", headers=self.headers, name="/v1/vacancies/{id}")

    @task(2)
    def list_page(self) -> None:
        offset = self.rng.randrange(0, _PLAN["n_candidates"], 50)
        self.client.get(
            f"/v1/candidates?limit=50&offset={offset}",
            headers=self.headers,
            name="/v1/candidates?limit=50",
        )

    @task(1)
    def list_vacancies(self) -> None:
        self.client.get(
            "/v1/vacancies?status=open&limit=50",
            headers=self.headers,
            name="/v1/vacancies?limit=50",
        )

    @task(1)
    def upsert_candidate(self) -> None:
        body = self.rng.choice(_PLAN["candidate_bodies"])
        self.client.put(
            f"/v1/candidates/{body['id']}",
            json=body,
            headers=self.headers,
            name="/v1/candidates/{id}",
        )


class Officer(HttpUser):
    """A BKK officer: their own school's students and the open vacancies."""

    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.headers = _key("bkk")
        self.rng = random.Random()

    @task(4)
    def student_matches(self) -> None:
        cid = self.rng.choice(_PLAN["bkk_candidates"])
        self.client.get(
            f"/v1/candidates/{cid}/matches?k=20",
            headers=self.headers,
            name="/v1/candidates/{id}/matches",
        )

    @task(2)
    def student(self) -> None:
        cid = self.rng.choice(_PLAN["bkk_candidates"])
        self.client.get(f"/v1/candidates/{cid}", headers=self.headers, name="/v1/candidates/{id}")

    @task(1)
    def students_page(self) -> None:
        self.client.get(
            "/v1/candidates?limit=50&status=seeking",
            headers=self.headers,
            name="/v1/candidates?limit=50",
        )

    @task(1)
    def shortlist(self) -> None:
        body = {
            "vacancy_id": self.rng.choice(_PLAN["open_vacancies"]),
            "candidate_id": self.rng.choice(_PLAN["bkk_candidates"]),
            "status": "shortlisted",
        }
        self.client.post("/v1/outcomes", json=body, headers=self.headers, name="/v1/outcomes")


class Employer(HttpUser):
    """An employer: consenting candidates for its own vacancies."""

    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.headers = _key("employer")
        self.rng = random.Random()

    @task(4)
    def candidates_for_vacancy(self) -> None:
        vid = self.rng.choice(_PLAN["employer_vacancies"])
        self.client.get(
            f"/v1/vacancies/{vid}/matches?k=20",
            headers=self.headers,
            name="/v1/vacancies/{id}/matches",
        )

    @task(1)
    def own_vacancy(self) -> None:
        vid = self.rng.choice(_PLAN["employer_vacancies"])
        self.client.get(f"/v1/vacancies/{vid}", headers=self.headers, name="/v1/vacancies/{id}")

    @task(1)
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
