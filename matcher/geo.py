"""Gazetteer: Kemendagri codes and the place names people write → coordinates; haversine distance.

Distance is a matching signal (a welder in Cikande rarely takes a job in Cinangka), but records
arrive with whatever location the portal or the BKK spreadsheet had: coordinates, a kecamatan code,
a kabupaten code, or a name such as "Kec. Kibin", "Cikande, Serang" or "Jakbar". This module turns
all of them into one point, using kecamatan/kabupaten centroids (MIT, cahyadsn/wilayah_boundaries;
see ``matcher/data/wilayah/SOURCE.md``).

Names repeat across Indonesia (there are many "Cibeber" and "Curug"), so every name keeps all its
places ordered by preference: kabupaten/kota before kecamatan before desa, Banten and Jakarta
before Jawa Barat, then nearest to Kabupaten Serang. A bare "Serang" (or "Tangerang", "Bekasi")
means the kabupaten unless "kota" is written. All lookups are dict lookups built once in
:meth:`Gazetteer.load`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from matcher.records import Location

Level = Literal["kabupaten", "kecamatan", "desa"]

_EARTH_RADIUS_KM = 6371.0088
_HOME_KABUPATEN = "36.04"  # Kabupaten Serang: ties between same-named places go to the nearest
_NEAR_PROVINCES = ("36", "31")  # Banten and DKI Jakarta win a name over Jawa Barat
_KECAMATAN_FILES = (
    "kecamatan_36_centroids.csv",
    "kecamatan_31_centroids.csv",
    "kecamatan_32_centroids.csv",
)
_KABUPATEN_FILE = "kabupaten_kota_indonesia_centroids.csv"
_DESA_FILE = "desa_kelurahan_3604_kab_serang_centroids.csv"
_ALIAS_FILE = "aliases.csv"

# Leading words that say which level a name is, and are not part of the name itself.
_KECAMATAN_WORDS = frozenset({"kec", "kecamatan", "kcm", "distrik"})
_DESA_WORDS = frozenset({"desa", "ds", "kel", "kelurahan", "kampung", "kp", "dusun"})
_KABUPATEN_WORDS = frozenset({"kab", "kabupaten", "kabupatan"})
_KOTA_WORDS = frozenset({"kota", "kotamadya", "kodya", "kot"})
# Trailing words that add nothing to a place ("Serang, Banten, Indonesia").
_NOISE_PARTS = frozenset(
    {
        "indonesia",
        "banten",
        "provinsi banten",
        "prov banten",
        "jawa barat",
        "jabar",
        "provinsi jawa barat",
        "dki jakarta",
        "dki",
        "provinsi dki jakarta",
    }
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_PART_SPLIT = re.compile(r"[,;/|()\n]+")


@dataclass(frozen=True)
class Place:
    """One administrative area with its centroid; ``code`` is the Kemendagri code."""

    code: str
    name: str
    level: Level
    lat: float
    lon: float

    @property
    def kabupaten_code(self) -> str:
        return self.code[:5]

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lon)


def _words(text: str) -> list[str]:
    """Lower-case ASCII words: accents, dots and dashes never decide whether a name matches."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return [w for w in _NON_WORD.split(folded.lower()) if w]


def _key(words: Iterable[str]) -> str:
    """Spaces removed, so "Pulo Ampel" = "Puloampel" and "Tunjung Teja" = "Tunjungteja"."""
    return "".join(words)


@overload
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> float | np.ndarray: ...
def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; broadcasts over numpy arrays so a pool is one call.

    Scalars in give a Python ``float`` out; any array in gives an ``np.ndarray``.
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    d = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


class Gazetteer:
    """Codes and names → :class:`Place`; build with :meth:`load` (reads the shipped CSVs once)."""

    def __init__(
        self,
        kabupaten: Sequence[Place],
        kecamatan: Sequence[Place],
        desa: Sequence[Place] = (),
        aliases: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._by_code: dict[str, Place] = {p.code: p for p in (*kabupaten, *kecamatan, *desa)}
        home = self._by_code.get(_HOME_KABUPATEN)
        self._home = home.point if home else (-6.1417, 106.1461)
        self._kab_names: dict[str, list[Place]] = {}
        self._kec_names: dict[str, list[Place]] = {}
        self._desa_names: dict[str, list[Place]] = {}
        for p in kabupaten:
            for key in self._kabupaten_keys(p.name):
                self._kab_names.setdefault(key, []).append(p)
        for p in kecamatan:
            self._kec_names.setdefault(_key(_words(p.name)), []).append(p)
        for p in desa:
            self._desa_names.setdefault(_key(_words(p.name)), []).append(p)
        self._aliases: dict[str, Place] = {}
        for alias, code in aliases:
            place = self._by_code.get(code)
            if place is not None:
                self._aliases[_key(_words(alias))] = place
        for index in (self._kab_names, self._kec_names, self._desa_names):
            for key, places in index.items():
                index[key] = self._ordered(places)
        self._cache: dict[str, Place | None] = {}

    @classmethod
    def load(cls) -> Gazetteer:
        """Read the shipped centroid tables (about 1,500 rows; well under 0.1 s)."""
        base = resources.files("matcher") / "data" / "wilayah"

        def rows(name: str) -> list[dict[str, str]]:
            text = (base / name).read_text(encoding="utf-8")
            return list(csv.DictReader(io.StringIO(text, newline="")))

        def places(name: str, level: Level) -> list[Place]:
            return [
                Place(r["kode"], r["nama"], level, float(r["lat"]), float(r["lng"]))
                for r in rows(name)
            ]

        kabupaten = places(_KABUPATEN_FILE, "kabupaten")
        kecamatan = [p for f in _KECAMATAN_FILES for p in places(f, "kecamatan")]
        desa = places(_DESA_FILE, "desa")
        aliases = [(r["alias"], r["kode"]) for r in rows(_ALIAS_FILE)]
        return cls(kabupaten, kecamatan, desa, aliases)

    # ---------------------------------------------------------------- public lookups

    def place(self, code: str) -> Place | None:
        """The area with this Kemendagri code (kabupaten, kecamatan or Kab. Serang desa)."""
        return self._by_code.get(code.strip())

    def resolve(self, location: Location | None) -> tuple[float, float] | None:
        """(lat, lon) for a record's location, or ``None`` when nothing in it is known."""
        if location is None:
            return None
        if location.lat is not None and location.lon is not None:
            return (location.lat, location.lon)
        place = self.resolve_place(location)
        return place.point if place else None

    def resolve_place(self, location: Location | str | None) -> Place | None:
        """The most specific known area for a location (or a bare name); ``None`` if unknown.

        Order: kecamatan code, then a name (when it agrees with the kabupaten code), then the
        kabupaten code, then the kabupaten part of an unknown kecamatan code. Coordinates alone
        give no place: use :meth:`resolve` for a point.
        """
        if location is None:
            return None
        if isinstance(location, str):
            return self.resolve_name(location)
        if location.kecamatan_code and location.kecamatan_code in self._by_code:
            return self._by_code[location.kecamatan_code]
        kab = self._by_code.get(location.kabupaten_code) if location.kabupaten_code else None
        if location.name:
            named = self.resolve_name(location.name, within=kab.code if kab else None)
            if named is not None and (kab is None or named.code.startswith(kab.code)):
                return named
        if kab is not None:
            return kab
        if location.kecamatan_code:
            return self._by_code.get(location.kecamatan_code[:5])
        return None

    def resolve_name(self, text: str, *, within: str | None = None) -> Place | None:
        """A place name as people write it → the preferred :class:`Place`, or ``None``.

        ``within`` (a kabupaten code) picks among same-named kecamatan/desa.
        """
        cache_key = f"{within or ''}|{text}"
        if cache_key in self._cache:
            return self._cache[cache_key]
        found = self._resolve_name(text, within)
        if len(self._cache) < 100_000:
            self._cache[cache_key] = found
        return found

    def kecamatan_of_serang(self) -> list[Place]:
        """The 29 kecamatan of Kabupaten Serang (codes 36.04.xx), by code."""
        prefix = _HOME_KABUPATEN + "."
        return sorted(
            (
                p
                for p in self._by_code.values()
                if p.level == "kecamatan" and p.code.startswith(prefix)
            ),
            key=lambda p: p.code,
        )

    def desa_of(self, kecamatan_code: str) -> list[Place]:
        """Desa/kelurahan of one Kab. Serang kecamatan (the only desa table shipped), by code."""
        prefix = kecamatan_code + "."
        return sorted(
            (p for p in self._by_code.values() if p.level == "desa" and p.code.startswith(prefix)),
            key=lambda p: p.code,
        )

    def distance_km(self, a: Location | None, b: Location | None) -> float | None:
        """Distance between two locations, ``None`` when either cannot be resolved."""
        pa, pb = self.resolve(a), self.resolve(b)
        if pa is None or pb is None:
            return None
        return float(haversine_km(pa[0], pa[1], pb[0], pb[1]))

    # ---------------------------------------------------------------- internals

    @staticmethod
    def _kabupaten_keys(name: str) -> list[str]:
        """ "Kabupaten Serang" → kabupatenserang, kabserang, serang; "Kota Serang" → kotaserang."""
        words = _words(name)
        if words[:2] == ["kota", "administrasi"]:  # Jakarta: "Kota Administrasi Jakarta Barat"
            words = words[2:]
            return [_key(words), _key(["kota", *words])]
        if words and words[0] == "kabupaten":
            rest = words[1:]
            if rest[:1] == ["administrasi"]:
                rest = rest[1:]
            return [_key(words), _key(["kab", *rest]), _key(rest)]
        if words and words[0] == "kota":
            return [_key(words), _key(words[1:])]
        return [_key(words)]

    def _ordered(self, places: list[Place]) -> list[Place]:
        """Kabupaten before kota for a bare name, near provinces first, then nearest to Serang."""
        seen: dict[str, Place] = {}
        for p in places:
            seen.setdefault(p.code, p)
        hlat, hlon = self._home

        def rank(p: Place) -> tuple[int, int, float]:
            kota = 1 if p.level == "kabupaten" and _words(p.name)[:1] == ["kota"] else 0
            far = 0 if p.code[:2] in _NEAR_PROVINCES else 1
            return (far, kota, (p.lat - hlat) ** 2 + (p.lon - hlon) ** 2)  # order only

        return sorted(seen.values(), key=rank)

    def _lookup(self, words: list[str], within: str | None) -> Place | None:
        """One name part: explicit level words first, then kabupaten, kecamatan, desa."""
        if not words:
            return None
        head = words[0]
        if head in _KABUPATEN_WORDS or head in _KOTA_WORDS:
            return self._pick(self._kab_names.get(_key(words)), within=None)
        if head in _KECAMATAN_WORDS and len(words) > 1:
            key = _key(words[1:])
            return self._pick(self._kec_names.get(key), within) or self._pick(
                self._desa_names.get(key), within
            )
        if head in _DESA_WORDS and len(words) > 1:
            key = _key(words[1:])
            return self._pick(self._desa_names.get(key), within) or self._pick(
                self._kec_names.get(key), within
            )
        key = _key(words)
        if key in self._aliases:
            return self._aliases[key]
        kec = self._pick(self._kec_names.get(key), within)
        desa = self._pick(self._desa_names.get(key), within)
        kab = self._kab_names.get(key)
        if within is None and kab:
            # A kabupaten/kota name wins ("Bekasi", "Cilegon"), unless it lies far away and a
            # kecamatan of Banten/Jakarta has the name ("Bandung" is also a kecamatan of Serang).
            near_kec = kec is not None and kec.code[:2] in _NEAR_PROVINCES
            if kab[0].code[:2] in _NEAR_PROVINCES or not near_kec:
                return kab[0]
        if kec is not None and (desa is None or kec.code[:2] in _NEAR_PROVINCES):
            return kec
        if desa is not None:
            return desa
        if within is not None and key in self._kab_names:
            return self._kab_names[key][0]
        return None

    @staticmethod
    def _pick(places: list[Place] | None, within: str | None) -> Place | None:
        if not places:
            return None
        if within is not None:
            for p in places:
                if p.code.startswith(within):
                    return p
        return places[0]

    def _resolve_name(self, text: str, within: str | None) -> Place | None:
        words = _words(text)
        if not words:
            return None
        whole = self._lookup(words, within)
        if whole is not None:
            return whole
        # "Cikande, Serang" / "Ds. Kibin Kec. Kibin Kab. Serang, Banten": resolve the parts; the
        # broader ones (kabupaten) give the context the narrower one (kecamatan, desa) is chosen in.
        parts = [_words(p) for p in _PART_SPLIT.split(text)]
        parts = [p for p in parts if p and " ".join(p) not in _NOISE_PARTS]
        if len(parts) == 1 and parts[0] != words:
            return self._resolve_name(" ".join(parts[0]), within)
        if len(parts) <= 1:
            parts = self._split_on_level_words(words)
        if len(parts) <= 1:
            return self._split_trailing_kabupaten(words, within)
        context = within
        for part in reversed(parts):  # broadest last, so walk back: kabupaten, then kecamatan
            found = self._lookup(part, context)
            if (
                found is not None
                and found.level != "desa"
                and (context is None or found.code.startswith(context))
            ):
                context = found.code
        best: Place | None = None
        for part in parts:
            found = self._lookup(part, context)
            if found is None:
                continue
            if best is None or (
                _LEVEL_RANK[found.level] > _LEVEL_RANK[best.level]
                and (context is None or found.code.startswith(context))
            ):
                best = found
        return best

    @staticmethod
    def _split_on_level_words(words: list[str]) -> list[list[str]]:
        """ "desa kibin kec kibin kab serang" → [desa kibin] [kec kibin] [kab serang]."""
        level_words = _KECAMATAN_WORDS | _DESA_WORDS | _KABUPATEN_WORDS | _KOTA_WORDS
        parts: list[list[str]] = []
        for w in words:
            if w in level_words or not parts:
                parts.append([w])
            else:
                parts[-1].append(w)
        return [p for p in parts if " ".join(p) not in _NOISE_PARTS]

    def _split_trailing_kabupaten(self, words: list[str], within: str | None) -> Place | None:
        """ "Cikande Serang" (no comma): a kecamatan/desa name followed by its kabupaten."""
        for cut in range(len(words) - 1, 0, -1):
            tail = self._kab_names.get(_key(words[cut:]))
            if not tail:
                continue
            head = self._lookup(words[:cut], tail[0].code)
            if head is not None:
                return head
        return None


_LEVEL_RANK: dict[str, int] = {"kabupaten": 0, "kecamatan": 1, "desa": 2}
