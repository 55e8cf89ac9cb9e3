"""The workspace's vacancy form in tests: a valid submission, and what a page's form holds."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

WELDING = "Teknik Pengelasan dan Fabrikasi Logam"


def vacancy_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid submission of the vacancy form (as a browser would post it)."""
    data: dict[str, Any] = {
        "title": "Welder SMAW",
        "description": "Dibutuhkan welder untuk fabrikasi baja di Cikande. Shift pagi.",
        "employer_name": "PT Baja Cikande",
        "programs": [WELDING],
        "majors_other": "Teknik Mesin",
        "majors_required": "",
        "skills": "las SMAW, gerinda\nmembaca gambar teknik",
        "education_min": "SMA",
        "min_experience_years": "",
        "age_min": "18",
        "age_max": "30",
        "kecamatan_code": "36.04.15",
        "location_name": "Kawasan Industri Modern Cikande",
        "headcount": "3",
        "deadline": "31-12-2030",
        "status": "open",
        "salary_min": "4.500.000",
        "salary_max": "5000000",
    }
    data.update(overrides)
    return data


class _Fields(HTMLParser):
    """The named inputs, textareas and selected options of a page's vacancy form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._textarea: str | None = None
        self._select: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrf":
            self.values[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            multiple = "multiple" in a
            self._select = (name, multiple)
            self.values[name] = [] if multiple else ""
        elif tag == "option" and self._select and "selected" in a:
            field, multiple = self._select
            if multiple:
                self.values[field].append(a.get("value") or "")
            else:
                self.values[field] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_fields(html: str) -> dict[str, Any]:
    form = html[html.index('<form method="post" action="/ruang/lowongan/') :]
    parser = _Fields()
    parser.feed(form[: form.index("</form>")])
    return parser.values
