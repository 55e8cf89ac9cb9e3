"""The staff workspace in a real browser: Playwright driving Debian's chromium against a real
``cocok serve`` with the demo data (fast hashing encoder). Screenshots of the main pages at phone
and desktop width land in ``var/screenshots/`` (``make screenshots`` writes them to
``docs/screenshots/``, which the README shows; any folder via ``COCOK_SCREENSHOTS_DIR``)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from served import cocok_command, serving

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("COCOK_SCREENSHOTS_DIR") or REPO / "var" / "screenshots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


@dataclass(frozen=True)
class Demo:
    url: str
    accounts: dict[str, tuple[str, str]]  # role -> (username, password)
    data_dir: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``cocok demo --no-serve`` (which prints the staff accounts), then ``cocok serve``."""
    tmp = tmp_path_factory.mktemp("workspace")
    env = {
        **os.environ,
        "COCOK_ENCODER": "hashing",
        "COCOK_DATA_DIR": str(tmp / "var"),
        "COCOK_DATABASE_URL": "",
        "COLUMNS": "200",
    }
    loaded = subprocess.run(
        [*cocok_command(), "demo", "--no-serve", "--candidates", "300", "--vacancies", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    accounts = {
        role: (user, password)
        for role, user, password in re.findall(
            r"^\s+(bkk|employer|admin)\s+(demo-\S+)\s+(\S+)$", loaded.stdout, re.M
        )
    }
    assert set(accounts) == {"bkk", "employer", "admin"}, loaded.stdout
    with serving(env, tmp / "server.log", timeout_s=180) as url:
        yield Demo(url, accounts, tmp / "var")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


def _page(browser: object, demo: Demo, size: dict[str, int] = DESKTOP) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=demo.url, viewport=size, accept_downloads=True, locale="id-ID"
    )
    return context.new_page()


def _sign_in(page: object, demo: Demo, role: str) -> None:
    username, password = demo.accounts[role]
    page.goto("/masuk")  # type: ignore[attr-defined]
    page.get_by_label("Nama pengguna").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Kata sandi").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Masuk").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/ruang$"))  # type: ignore[attr-defined]


def _shoot(browser: object, demo: Demo, role: str | None, path: str, name: str) -> None:
    """The same page at phone and desktop width, for the README."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("ponsel", PHONE), ("desktop", DESKTOP)):
        page = _page(browser, demo, size)
        if role is not None:
            _sign_in(page, demo, role)
        page.goto(path)  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("lang") == "id"  # type: ignore[attr-defined]
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"))  # type: ignore[attr-defined]
        page.context.close()  # type: ignore[attr-defined]


def test_bkk_shortlists_two_students_and_exports_them(
    browser: object, demo: Demo, tmp_path: Path
) -> None:
    _shoot(browser, demo, None, "/masuk", "masuk")
    page = _page(browser, demo)
    _sign_in(page, demo, "bkk")
    assert page.get_by_role("heading", name="Beranda BKK").is_visible()  # type: ignore[attr-defined]
    first = page.locator("ul.daftar a").first  # type: ignore[attr-defined]
    href = first.get_attribute("href")
    assert href and href.startswith("/ruang/lowongan/")
    first.click()
    page.wait_for_url(f"**{href}")  # type: ignore[attr-defined]
    # the demo's simulated history may already have people in this vacancy's pipeline
    shortlisted = page.locator("#daftar-pendek li[data-kandidat]")  # type: ignore[attr-defined]
    ids = "els => els.map(e => e.dataset.kandidat)"
    before = set(shortlisted.evaluate_all(ids))
    cards = page.locator("#kandidat-cocok > li:has(button.usulkan)")  # type: ignore[attr-defined]
    assert cards.count() >= 2, "the demo school has people who fit its best vacancy"
    chosen = [cards.nth(i).get_attribute("data-kandidat") for i in range(2)]
    assert not set(chosen) & before
    for cid in chosen:
        page.locator(f'#kandidat-cocok > li[data-kandidat="{cid}"] button.usulkan').click()  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
    assert set(shortlisted.evaluate_all(ids)) == before | set(chosen)
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("link", name="Ekspor ke Excel").click()  # type: ignore[attr-defined]
    target = tmp_path / "daftar.xlsx"
    info.value.save_as(target)
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    exported = {r[header.index("ID kandidat")]: r[header.index("Status")] for r in data}
    assert len(data) == len(exported) == len(before) + 2
    assert set(exported) == before | set(chosen)
    assert all(exported[c] == "Diusulkan" for c in chosen)
    page.context.close()  # type: ignore[attr-defined]
    _shoot(browser, demo, "bkk", "/ruang", "bkk-beranda")
    _shoot(browser, demo, "bkk", href, "bkk-lowongan")


def test_employer_sees_own_vacancies_and_consenting_candidates(browser: object, demo: Demo) -> None:
    from sqlalchemy import create_engine, select

    from matcher.records import Candidate
    from service.access import employer_may_see
    from service.db.models import CandidateRow, VacancyRow

    page = _page(browser, demo)
    _sign_in(page, demo, "employer")
    links = page.locator("#lowongan-saya a")  # type: ignore[attr-defined]
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs, "the demo employer has vacancies"
    engine = create_engine(f"sqlite:///{demo.data_dir / 'cocok.sqlite3'}")
    try:
        with engine.connect() as db:
            owners = dict(db.execute(select(VacancyRow.id, VacancyRow.employer_id)).all())
            employer = {owners[h.rsplit("/", 1)[1]] for h in hrefs}
            assert len(employer) == 1 and len(hrefs) == sum(
                1 for e in owners.values() if e in employer
            )
            page.goto(hrefs[0])  # type: ignore[attr-defined]
            shown = page.locator("#kandidat-cocok > li").evaluate_all(  # type: ignore[attr-defined]
                "els => els.map(e => e.dataset.kandidat)"
            )
            assert shown, "some consenting people fit the employer's vacancy"
            rows = db.execute(select(CandidateRow.id, CandidateRow.data)).all()
            data = {cid: Candidate.model_validate(d) for cid, d in rows}
            today = date.today()
            assert all(employer_may_see(data[c], today) for c in shown)
            assert any(not employer_may_see(c, today) for c in data.values())
            other = next(v for v, e in owners.items() if e not in employer)
    finally:
        engine.dispose()
    response = page.goto(f"/ruang/lowongan/{other}")  # type: ignore[attr-defined]
    assert response.status == 404
    page.context.close()  # type: ignore[attr-defined]
    _shoot(browser, demo, "employer", hrefs[0], "perusahaan-lowongan")


def test_admin_sees_the_charts(browser: object, demo: Demo) -> None:
    page = _page(browser, demo)
    _sign_in(page, demo, "admin")
    charts = page.locator("svg.grafik")  # type: ignore[attr-defined]
    assert charts.count() >= 1
    assert page.locator("svg.grafik rect.batang").count() > 0  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
    _shoot(browser, demo, "admin", "/ruang", "admin-beranda")


def test_employer_creates_a_vacancy_through_the_form(browser: object, demo: Demo) -> None:
    page = _page(browser, demo, PHONE)
    _sign_in(page, demo, "employer")
    page.get_by_role("link", name="Buat lowongan baru").first.click()  # type: ignore[attr-defined]
    page.wait_for_url("**/ruang/lowongan/baru")  # type: ignore[attr-defined]
    page.get_by_label("Judul lowongan").fill("Operator Las SMAW (uji e2e)")  # type: ignore[attr-defined]
    page.get_by_label("Deskripsi pekerjaan").fill(  # type: ignore[attr-defined]
        "Mengelas rangka baja di bengkel fabrikasi, kerja shift."
    )
    page.get_by_label("Jumlah orang yang dibutuhkan").fill("0")  # type: ignore[attr-defined]
    page.get_by_label("Keahlian yang dibutuhkan").fill("las listrik SMAW\ngerinda")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Simpan lowongan").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    # a bad headcount comes back in Indonesian with what was typed, nothing stored
    assert "/ruang/lowongan/baru" in page.url  # type: ignore[attr-defined]
    assert page.get_by_label("Judul lowongan").input_value() == "Operator Las SMAW (uji e2e)"  # type: ignore[attr-defined]
    page.get_by_label("Jumlah orang yang dibutuhkan").fill("2")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Simpan lowongan").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/ruang/lowongan/LWN-[0-9a-f]+$"))  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Operator Las SMAW (uji e2e)").is_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
    _shoot(browser, demo, "employer", "/ruang/lowongan/baru", "perusahaan-lowongan-baru")


def test_reports_import_trainings_and_a_student_page_render(browser: object, demo: Demo) -> None:
    page = _page(browser, demo)
    _sign_in(page, demo, "bkk")
    page.goto("/ruang/laporan")  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Tracer lulusan (BMW)").is_visible()  # type: ignore[attr-defined]
    page.goto("/ruang/impor")  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Impor siswa dari Excel").is_visible()  # type: ignore[attr-defined]
    page.goto("/ruang")  # type: ignore[attr-defined]
    first = page.locator("ul.daftar a").first  # type: ignore[attr-defined]
    first.click()
    page.wait_for_load_state()  # type: ignore[attr-defined]
    student = page.locator("#kandidat-cocok > li").first.get_attribute("data-kandidat")  # type: ignore[attr-defined]
    assert student
    page.goto(f"/ruang/kandidat/{student}")  # type: ignore[attr-defined]
    assert page.locator("#pelatihan").is_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
    _shoot(browser, demo, "bkk", "/ruang/laporan", "bkk-laporan")
    _shoot(browser, demo, "bkk", "/ruang/impor", "bkk-impor")
    _shoot(browser, demo, "bkk", f"/ruang/kandidat/{student}", "bkk-siswa")
    _shoot(browser, demo, "admin", "/ruang/pelatihan", "admin-pelatihan")
