"""Logs are JSON lines with the request id, and never carry personal data or keys."""

from __future__ import annotations

import io
import json
from typing import Any

from svc_helpers import ADMIN, ADMIN_KEY, candidate_body, vacancy_body

PERSONAL = ("Siti Rahma", "081234567890", "siti@example.id", "3604010101010001")


def test_logs_hold_no_personal_data(client: Any, log_lines: io.StringIO) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    client.put("/v1/candidates/c1", json=candidate_body("c1"), headers=ADMIN)
    bad = candidate_body("c2", nik="3604010101010001", birth_date="not a date")
    client.put("/v1/candidates/c2", json=bad, headers={**ADMIN, "X-Request-ID": "abc-123"})
    client.get("/v1/vacancies/v1/matches", headers=ADMIN)
    client.delete("/v1/candidates/c1", headers=ADMIN)
    text = log_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines and all("request_id" in line for line in lines)
    assert any(line.get("request_id") == "abc-123" for line in lines)
    for secret in (*PERSONAL, ADMIN_KEY):
        assert secret not in text


def test_audit_log_keeps_hashes_not_ids(client: Any) -> None:
    from sqlalchemy import select

    from service.db.models import AuditRow

    client.put("/v1/candidates/c-secret", json=candidate_body("c-secret"), headers=ADMIN)
    client.delete("/v1/candidates/c-secret", headers=ADMIN)
    with client.app.state.sessions() as session:
        rows = list(session.scalars(select(AuditRow)))
    assert {r.action for r in rows} >= {"candidate.create", "candidate.erase"}
    assert all("c-secret" not in (r.target_hash + (r.detail or "")) for r in rows)
