"""The vacancy form's reading of typed values, without HTTP: what people write, what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from vacancy_form import vacancy_form

from service.web import vacancy_forms


@pytest.mark.parametrize(
    ("overrides", "field", "stored"),
    [
        ({"salary_min": "Rp 4.500.000"}, "salary_min", 4_500_000),
        ({"salary_max": "5 000 000"}, "salary_max", 5_000_000),
        ({"min_experience_years": "1,5"}, "min_experience_years", 1.5),
        ({"deadline": "31/12/2030"}, "deadline", "2030-12-31"),
        ({"deadline": "2030-12-31"}, "deadline", "2030-12-31"),
        ({"education_min": "D4"}, "education_levels", ["D4", "S1", "S2", "S3"]),
        ({"majors_required": "tidak"}, "majors_required", False),
        ({"skills": "las SMAW\n\nLas smaw, gerinda,"}, "skills", ["las SMAW", "gerinda"]),
    ],
)
def test_the_form_reads_values_as_people_write_them(
    overrides: dict[str, Any], field: str, stored: Any
) -> None:
    body, errors = vacancy_forms.to_body(vacancy_form(**overrides), None, "E1")
    assert errors == {} and body is not None
    assert body[field] == stored and body["employer_id"] == "E1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_experience_years": "nan"}, "min_experience_years"),
        ({"min_experience_years": "61"}, "min_experience_years"),
        ({"headcount": "²"}, "headcount"),
        ({"headcount": "100001"}, "headcount"),
        ({"salary_max": "4.50.000"}, "salary_max"),
        ({"salary_min": "6.000.000"}, "salary_max"),  # above the maximum of 5.000.000
        ({"age_min": "12"}, "age_min"),
        ({"education_min": "tetap"}, "education_min"),  # nothing stored to keep on a new one
        ({"status": "draft"}, "status"),
    ],
)
def test_the_form_refuses_what_the_contract_would(overrides: dict[str, Any], field: str) -> None:
    body, errors = vacancy_forms.to_body(vacancy_form(**overrides), None, "E1")
    assert body is None and list(errors) == [field]
