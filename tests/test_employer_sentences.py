"""Which vacancy sentences describe the employer: the program mapper weights them weakly.

"PT X menyediakan jasa ..." describes the employer, "Menyediakan laporan harian" is a duty; the
mapper used to read both as the employer. The sentences here are written for these tests; none
comes from the evaluation data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from matcher.demo import generate_demo
from matcher.language import Language, scrub_protected
from matcher.language.resources import read_word_list, read_word_roles
from matcher.records import Vacancy
from matcher.taxonomy import Taxonomy
from matcher.taxonomy.catalogue import load_catalogue
from matcher.taxonomy.employer_sentences import EmployerSentences, sentences
from matcher.taxonomy.mapper import MajorResolver, VacancyMapper
from matcher.taxonomy.occupations import OccupationKeywords

#: the sentence split and employer rule the program mapper used before this module existed
_OLD_SPLIT = re.compile(r"[\n\r;•·●▪■◆►✓✔]+|(?<!\d)\.(?!\d)|\s[-–—]\s")


class _PhraseAnywhere(EmployerSentences):
    """The mapper's former rule: any listed phrase, wherever it stands, marks the employer.

    Its list was today's ``company_description_phrases.txt`` plus the positional phrases that
    moved to ``employer_sentence_words.csv``.
    """

    def __init__(self, language: Language) -> None:
        super().__init__(
            language,
            anywhere=(),
            opening=(),
            after_subject=(),
            subjects=(),
            copulas=(),
            lead_in=(),
        )
        roles = read_word_roles("employer_sentence_words.csv")
        phrases = [
            *read_word_list("company_description_phrases.txt"),
            *roles["opening"],
            *roles["after_subject"],
        ]
        normalised = sorted({language.normalise(p) for p in phrases}, key=len, reverse=True)
        self._old = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in normalised) + r")\b")

    def describes_employer(self, tokens: Sequence[str]) -> bool:
        return bool(self._old.search(" ".join(tokens)))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture(scope="module")
def employer(taxonomy: Taxonomy) -> EmployerSentences:
    return EmployerSentences.load(taxonomy.language)


def _tokens(taxonomy: Taxonomy, sentence: str) -> list[str]:
    return taxonomy.language.normalise(sentence).split()


@pytest.mark.parametrize(
    "sentence",
    [
        "Menyediakan laporan stock opname mingguan untuk kepala gudang",
        "Menyediakan bahan baku untuk produksi sesuai jadwal",
        "Melakukan negosiasi harga dengan supplier dan pemasok bahan baku",
        "Menawarkan produk kami kepada bengkel dan toko onderdil",
        "Melayani pelanggan kami dengan ramah melalui telepon",
        "Melayani kebutuhan pelanggan di showroom",
        "Mendukung visi dan misi perusahaan",
        "Represent our company at trade exhibitions",
    ],
)
def test_duty_wording_is_not_about_the_employer(
    taxonomy: Taxonomy, employer: EmployerSentences, sentence: str
) -> None:
    """Phrases that also describe employers ("menyediakan", "produk kami") open duties here."""
    assert not employer.describes_employer(_tokens(taxonomy, sentence))
    # the mapper's former rule read every one of these as the employer
    assert _PhraseAnywhere(taxonomy.language).describes_employer(_tokens(taxonomy, sentence))


@pytest.mark.parametrize(
    "sentence",
    [
        "PT Sinar Teknik menyediakan jasa fabrikasi baja",
        "PT. Sinar Teknik menyediakan jasa fabrikasi baja",
        "Sejak 1998, kami menyediakan peralatan las untuk industri di Banten",
        "Saat ini PT Maju Jaya menjadi distributor resmi oli di Serang",
        "Perusahaan kami merupakan pemasok komponen otomotif",
        "Kami produsen komponen otomotif untuk pasar ekspor",
        "CV Karya Logam melayani kebutuhan konstruksi baja se-Banten",
        "Toko Bunda Ceria adalah toko perlengkapan bayi yang menyediakan popok dan susu formula",
        "UD Sumber Rejeki merupakan pemasok bahan bangunan di Kramatwatu",
        "Produk kami telah dipasarkan ke seluruh Indonesia",
        "Visi: menjadi perusahaan logistik terdepan di Banten",
        "Perusahaan kami bergerak di bidang pengolahan makanan",
        "Our company is a trusted name in industrial gases",
        "We are a leading distributor of welding equipment",
    ],
)
def test_employer_wording_is_about_the_employer(
    taxonomy: Taxonomy, employer: EmployerSentences, sentence: str
) -> None:
    # "PT." does not end a sentence: the company it names is the subject of what follows
    assert len([s for s in sentences(sentence) if s.strip()]) == 1
    assert employer.describes_employer(_tokens(taxonomy, sentence))


def _program_text(vacancy: Vacancy) -> str:
    """The text ``Profiler.vacancy`` hands the program mapper (titles twice, then the prose)."""
    prose = scrub_protected(f"{vacancy.title}. {vacancy.description}")
    title = scrub_protected(vacancy.title)
    return " . ".join([title, title, " ".join(vacancy.majors), " ".join(vacancy.skills), prose])


def test_program_confidences_unchanged_on_the_demo_vacancies(taxonomy: Taxonomy) -> None:
    """Moving the employer rule out of the mapper, and making the ambiguous phrases
    positional, changes no program confidence of the 300 demo vacancies."""
    language = taxonomy.language
    catalogue = load_catalogue(taxonomy.skills)
    kinds = {code: p.kind for code, p in catalogue.programs.items()}
    majors = MajorResolver(language, catalogue.aliases, kinds)
    keywords = OccupationKeywords.load(language)
    before = VacancyMapper(
        language, majors, keywords, taxonomy.skills, kinds, employer=_PhraseAnywhere(language)
    )
    after = VacancyMapper(language, majors, keywords, taxonomy.skills, kinds)
    old_rule = _PhraseAnywhere(language)
    vacancies = generate_demo(seed=7, n_candidates=0).vacancies
    assert len(vacancies) == 300
    with_employer_sentence = 0
    for vacancy in vacancies:
        text = _program_text(vacancy)
        assert sentences(text) == _OLD_SPLIT.split(text)
        with_employer_sentence += any(
            old_rule.describes_employer(language.normalise(s).split()) for s in sentences(text)
        )
        assert after.programs_for_text(text) == before.programs_for_text(text), vacancy.id
    # the comparison covers vacancies that open with the employer, not only plain ones
    assert with_employer_sentence >= 10
    # and the employer weight still acts: the same sentence as a duty moves the programs
    ad = "Admin Online Shop. PT Baja Prima adalah perusahaan yang bergerak di bidang fabrikasi baja"
    duty = "Admin Online Shop. Membantu bagian fabrikasi baja"
    assert after.programs_for_text(ad) != after.programs_for_text(duty)
