"""Gazetteer: codes and the names people write resolve to the right centroid; haversine."""

from __future__ import annotations

import time

import numpy as np
import pytest

from matcher.geo import Gazetteer, haversine_km
from matcher.records import Location

CIKANDE = (-6.19, 106.35)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def _near(
    point: tuple[float, float] | None, target: tuple[float, float], tol: float = 0.02
) -> bool:
    return point is not None and abs(point[0] - target[0]) < tol and abs(point[1] - target[1]) < tol


def test_load_is_fast() -> None:
    start = time.perf_counter()
    Gazetteer.load()
    assert time.perf_counter() - start < 0.5


def test_cikande_by_code_and_by_name(gaz: Gazetteer) -> None:
    assert _near(gaz.resolve(Location(kecamatan_code="36.04.15")), CIKANDE)
    for name in (
        "Cikande",
        "cikande",
        "CIKANDE, Serang",
        "Kec. Cikande",
        "Cikande Serang",
        "Kecamatan Cikande, Kabupaten Serang, Banten",
    ):
        assert _near(gaz.resolve(Location(name=name)), CIKANDE), name


def test_coordinates_win(gaz: Gazetteer) -> None:
    loc = Location(lat=-6.0, lon=106.0, kecamatan_code="36.04.15")
    assert gaz.resolve(loc) == (-6.0, 106.0)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kab. Tangerang", "36.03"),
        ("Kabupaten Serang", "36.04"),
        ("Serang", "36.04"),
        ("Kota Serang", "36.73"),
        ("Jakarta Barat", "31.73"),
        ("Jakbar", "31.73"),
        ("Tangerang Selatan", "36.74"),
        ("Tangsel", "36.74"),
        ("Cilegon", "36.72"),
        ("Bekasi", "32.16"),
        ("Karawang", "32.15"),
        ("Kec. Kibin", "36.04.16"),
        ("pulo-ampel", "36.04.08"),
        ("Tunjungteja", "36.04.20"),
        ("Margasana", "36.04.05.2002"),
        ("Ds. Margasana, Kec. Kramatwatu, Kab. Serang", "36.04.05.2002"),
        ("Curug, Kota Serang", "36.73.04"),
    ],
)
def test_names_people_write(gaz: Gazetteer, name: str, code: str) -> None:
    place = gaz.resolve_place(name)
    assert place is not None and place.code == code, (name, place)


def test_ambiguous_names_prefer_banten(gaz: Gazetteer) -> None:
    # "Cibeber" is a kecamatan of Lebak, Cilegon and (outside Banten) Cianjur
    place = gaz.resolve_place("Cibeber")
    assert place is not None and place.code.startswith("36.")
    # a desa that exists in two kecamatan: the named kecamatan decides
    assert gaz.resolve_place("Desa Mekarsari, Kec. Anyar").code.startswith("36.04.30.")


def test_kabupaten_code_and_unknown_kecamatan_code(gaz: Gazetteer) -> None:
    assert gaz.resolve_place(Location(kabupaten_code="36.03")).code == "36.03"
    # an unknown kecamatan of a known kabupaten falls back to the kabupaten centroid
    assert gaz.resolve_place(Location(kecamatan_code="36.04.99")).code == "36.04"
    # a name that agrees with the kabupaten code is more specific than it
    assert gaz.resolve_place(Location(kabupaten_code="36.04", name="Kibin")).code == "36.04.16"


def test_unknown_is_none(gaz: Gazetteer) -> None:
    assert gaz.resolve(None) is None
    assert gaz.resolve(Location()) is None
    assert gaz.resolve(Location(name="Atlantis")) is None
    assert gaz.resolve(Location(name="  ,, ")) is None
    assert gaz.resolve(Location(kecamatan_code="99.99.99")) is None


def test_kecamatan_of_serang(gaz: Gazetteer) -> None:
    kec = gaz.kecamatan_of_serang()
    assert len(kec) == 29
    assert all(p.code.startswith("36.04.") and p.level == "kecamatan" for p in kec)
    assert "Cikande" in {p.name for p in kec}


def test_cikande_to_kota_serang_distance(gaz: Gazetteer) -> None:
    d = gaz.distance_km(Location(name="Cikande"), Location(name="Kota Serang"))
    assert d is not None and 20 <= d <= 30


def test_haversine_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(0)
    lat1, lat2 = rng.uniform(-7, -5, 50), rng.uniform(-7, -5, 50)
    lon1, lon2 = rng.uniform(105, 108, 50), rng.uniform(105, 108, 50)
    vec = haversine_km(lat1, lon1, lat2, lon2)
    assert isinstance(vec, np.ndarray) and vec.shape == (50,)
    scalars = [haversine_km(*map(float, args)) for args in zip(lat1, lon1, lat2, lon2, strict=True)]
    assert all(isinstance(s, float) for s in scalars)
    np.testing.assert_allclose(vec, scalars)
    # broadcasting one point against many
    one = haversine_km(-6.19, 106.35, lat2, lon2)
    np.testing.assert_allclose(
        one, [haversine_km(-6.19, 106.35, a, b) for a, b in zip(lat2, lon2, strict=True)]
    )
    assert haversine_km(-6.0, 106.0, -6.0, 106.0) == 0.0
    # one degree of latitude is about 111 km
    assert abs(haversine_km(0.0, 106.0, 1.0, 106.0) - 111.2) < 0.5


def test_resolve_is_fast(gaz: Gazetteer) -> None:
    locs = [Location(name=n) for n in ("Cikande, Serang", "Kec. Kibin", "Jakbar", "Atlantis")]
    start = time.perf_counter()
    for _ in range(2_500):
        for loc in locs:
            gaz.resolve(loc)
    assert time.perf_counter() - start < 0.5
