"""Indonesian text handling: normalisation, stemming overrides, stopwords, protected wording."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.language import (
    Language,
    normalise,
    protected_wording,
    scrub_protected,
    stem,
    tokenize,
)


def test_pengelasan_stems_to_las_not_kelas() -> None:
    assert tokenize("pengelasan") == ["las"]
    assert "kelas" not in tokenize("Teknik Pengelasan dan Fabrikasi Logam")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pemesinan", "mesin"),
        ("perbengkelan", "bengkel"),
        ("pengecatan", "cat"),
        ("pemasaran", "pemasaran"),
        ("penjualan", "jual"),
        ("perakitan", "rakit"),
        ("pengemasan", "kemas"),
        ("pergudangan", "gudang"),
        ("perhotelan", "hotel"),
        ("perkantoran", "kantor"),
        ("kelistrikan", "listrik"),
        ("ketenagalistrikan", "listrik"),
        ("akuntansi", "akuntansi"),
        ("perbankan", "bank"),
        ("keperawatan", "perawat"),
        ("perawatan", "rawat"),
        ("perpajakan", "pajak"),
    ],
)
def test_vocational_overrides(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize("word", ["welding", "operator", "forklift", "maintenance", "sewing"])
def test_english_words_pass_through(word: str) -> None:
    assert stem(word) == word
    assert tokenize(word) == [word]


def test_sastrawi_still_stems_ordinary_words() -> None:
    assert stem("menjahit") == "jahit"
    assert stem("pertambangan") == "tambang"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TKJ", "teknik komputer dan jaringan"),
        ("tkro", "teknik kendaraan ringan otomotif"),
        ("SMK jurusan AKL", "smk jurusan akuntansi dan keuangan lembaga"),
        ("TBSM", "teknik bisnis sepeda motor"),
        ("OTKP", "otomatisasi dan tata kelola perkantoran"),
        ("D-III Akuntansi", "d3 akuntansi"),
        ("S-1 Manajemen", "s1 manajemen"),
        ("SIM B-1", "sim b1"),
        ("STM Mesin", "smk mesin"),
    ],
)
def test_abbreviations_expand(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_ambiguous_abbreviations_need_a_major_cue() -> None:
    assert normalise("plat tebal 2 mm, panjang 3 m") == "plat tebal 2 mm panjang 3 m"
    assert normalise("SMK jurusan TKJ / AK / AP") == (
        "smk jurusan teknik komputer dan jaringan akuntansi administrasi perkantoran"
    )
    assert normalise("MM") == "multimedia"
    assert normalise("lulusan SMK TP") == "lulusan smk teknik pemesinan"


def test_normalise_folds_case_punctuation_and_unicode() -> None:
    assert normalise("  Café—Barista!!  ") == "cafe barista"
    assert normalise("Gaji Rp 4.500.000") == "gaji rp 4500000"
    assert normalise("Teknik Komputer & Jaringan") == "teknik komputer dan jaringan"


def test_tokenize_drops_stopwords_and_boilerplate() -> None:
    terms = tokenize("Dibutuhkan segera Welder berpengalaman, lulusan SMK, kirim lamaran ke PT ABC")
    assert "welder" in terms
    for boilerplate in ("dibutuhkan", "segera", "lulusan", "lamaran", "pt", "pengalaman", "kirim"):
        assert boilerplate not in terms
    assert tokenize("") == []


def test_tokenize_keeps_domain_words() -> None:
    terms = tokenize("operator produksi, admin gudang, sopir SIM B1, mekanik mesin")
    for word in ("operator", "produksi", "admin", "gudang", "sopir", "b1", "mekanik", "mesin"):
        assert word in terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Operator Produksi (Pria)", ["pria"]),
        ("Wanita, usia max 25, belum menikah", ["wanita", "belum menikah"]),
        ("Pria/Wanita", ["pria wanita"]),
        ("Staff admin muslimah, berhijab", ["muslimah", "berhijab"]),
        ("Laki-laki, lajang", ["laki laki", "lajang"]),
        ("Female, single", ["female", "single"]),
        ("Welder SMAW, sertifikat BNSP", []),
    ],
)
def test_protected_wording_detected(text: str, expected: list[str]) -> None:
    assert protected_wording(text) == expected


def test_scrub_removes_protected_wording_only() -> None:
    text = "Dibutuhkan Operator Produksi (Pria), usia max 25, belum menikah, beragama Islam"
    scrubbed = scrub_protected(text)
    assert protected_wording(scrubbed) == []
    assert "Operator Produksi" in scrubbed
    assert "usia max 25" in scrubbed
    assert "()" not in scrubbed
    assert scrub_protected("Welder SMAW 3G") == "Welder SMAW 3G"


def test_gender_flip_gives_identical_scrubbed_tokens() -> None:
    pria = tokenize(scrub_protected("Operator Produksi, Pria, SMK Teknik Mesin"))
    wanita = tokenize(scrub_protected("Operator Produksi, Wanita, SMK Teknik Mesin"))
    assert pria == wanita


def test_language_instances_are_independent_and_deterministic() -> None:
    a, b = Language.load(), Language.load()
    text = "Lowongan teknisi perawatan mesin pengemasan di Cikande"
    assert a.tokenize(text) == b.tokenize(text) == tokenize(text)


def test_tokenize_throughput() -> None:
    language = Language.load()
    texts = [
        f"Dibutuhkan operator produksi {i} untuk pabrik di Cikande, lulusan SMK Teknik Mesin, "
        "mampu membaca gambar teknik, bersedia kerja shift, pengalaman pengelasan SMAW"
        for i in range(2000)
    ]
    language.tokenize(texts[0])
    start = time.perf_counter()
    for text in texts:
        language.tokenize(text)
    elapsed = time.perf_counter() - start
    assert len(texts) / elapsed > 2000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DIII", "d3"),
        ("D 3", "d3"),
        ("Diploma III", "d3"),
        ("D IV", "d4"),
        ("strata 1", "s1"),
        ("divisi produksi", "divisi produksi"),
        ("S 1", "s 1"),
    ],
)
def test_education_levels_are_canonical(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_is_handled(text: str) -> None:
    normalised = normalise(text)
    assert normalised == normalised.lower()
    assert "  " not in normalised
    assert all(term == term.lower() and term for term in tokenize(text))
    assert protected_wording(scrub_protected(text)) == []
