"""Candidate records kept compressed in memory, parsed when read.

The engine needs each candidate's record for the few things columns cannot answer: a caller's
scope predicate, the reasons of a returned match, and the snapshot. As pydantic objects a
demo candidate takes about 4.3 KB (a ``__dict__`` and a fields-set per nested model); a
million of them alone would exceed the 4 GB the engine may use at that size. Here each is its
JSON without default values, deflated against a preset dictionary of the record's own field
names (no data in it, so it compresses real records as well as demo ones): about 300 bytes.
Reading one back costs ~25 µs (inflate plus pydantic's Rust parser), paid only for the records
a query actually looks at.

Vacancies stay plain objects: there are ten to a hundred times fewer of them, and an employer's
scope reads all of its own on every query.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import overload

from matcher.records import Candidate

#: deflate level: 6 is zlib's default; 9 saved < 1 % more on records and costs more time
LEVEL = 6
_WBITS = -15  # raw deflate: no header or checksum per record (the snapshot has its own checks)


@cache
def _dictionary() -> bytes:
    """Every field name of a candidate in the order pydantic writes them, nested ones included."""
    skeleton = Candidate.model_validate(
        {
            "id": "x",
            "experience": [{"title": "x", "months": 1, "employer": "x"}],
            "location": {
                "kecamatan_code": "36.04.01",
                "kabupaten_code": "36.04",
                "name": "x",
                "lat": 1.0,
                "lon": 1.0,
            },
            "contact": {"phone": "08", "email": "a@b.co"},
        }
    )
    return skeleton.model_dump_json().encode()


def pack(record: Candidate) -> bytes:
    """The record as compact deflated JSON (defaults left out: they come back on parsing)."""
    return pack_json(record.model_dump_json(exclude_defaults=True).encode())


def pack_json(raw: bytes) -> bytes:
    """Deflate a candidate's JSON as it is (a snapshot line already validated on reading)."""
    deflate = zlib.compressobj(
        LEVEL, zlib.DEFLATED, _WBITS, 9, zlib.Z_DEFAULT_STRATEGY, _dictionary()
    )
    return deflate.compress(raw) + deflate.flush()


def unpack_json(packed: bytes) -> bytes:
    inflate = zlib.decompressobj(_WBITS, _dictionary())
    return inflate.decompress(packed) + inflate.flush()


def unpack(packed: bytes) -> Candidate:
    return Candidate.model_validate_json(unpack_json(packed))


class CandidateShelf(Mapping[str, Candidate]):
    """A read-mostly ``Mapping[id, Candidate]`` whose values are stored packed.

    Every read returns a fresh, equal copy: callers must not expect identity (``is``) or that
    mutating a returned record changes the shelf (records are replaced by ``put``).
    """

    def __init__(self, records: Iterable[Candidate] = ()) -> None:
        self._rows: dict[str, bytes] = {}
        for record in records:
            self.put(record)

    def put(self, record: Candidate) -> None:
        self.store(record.id, self.prepare(record))

    @staticmethod
    def prepare(record: Candidate) -> bytes:
        """The packed record, refused (ValueError) when it would not read back: a
        ``model_copy(update=...)`` skips validation. Callers prepare a whole batch before
        changing anything, so a bad record leaves no trace."""
        packed = pack(record)
        unpack(packed)  # ~25 µs beside the ~1 ms of profiling an upsert does anyway
        return packed

    def store(self, record_id: str, packed: bytes) -> None:
        """Keep what ``prepare`` returned."""
        self._rows[record_id] = packed

    def discard(self, record_id: str) -> None:
        self._rows.pop(record_id, None)

    def __getitem__(self, record_id: str) -> Candidate:
        return unpack(self._rows[record_id])

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def json_lines(self) -> Iterator[bytes]:
        """Each record's JSON (defaults left out), in insertion order: a snapshot writes these
        without building a single record object."""
        for packed in self._rows.values():
            yield unpack_json(packed)

    def packed(self) -> Iterator[tuple[str, bytes]]:
        """(id, packed record) in insertion order: what a snapshot's derived state stores."""
        return iter(self._rows.items())

    @classmethod
    def from_packed(cls, rows: Iterable[tuple[str, bytes]]) -> CandidateShelf:
        """A shelf from what ``packed`` gave, taken as it is (no parsing): only for bytes this
        code wrote itself, which the snapshot's fingerprint vouches for."""
        shelf = cls()
        shelf._rows = dict(rows)
        return shelf

    def packed_bytes(self) -> int:
        """Bytes held in packed records (without the mapping's own overhead)."""
        return sum(len(p) for p in self._rows.values())


class ShelfView(Sequence[Candidate]):
    """The shelf's records in order as a sequence, unpacked one slice at a time: restoring a
    snapshot walks a million records in chunks without holding them all as objects."""

    def __init__(self, shelf: CandidateShelf) -> None:
        self.shelf = shelf
        self.ids = list(shelf)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Candidate: ...

    @overload
    def __getitem__(self, i: slice) -> list[Candidate]: ...

    def __getitem__(self, i: int | slice) -> Candidate | list[Candidate]:
        if isinstance(i, slice):
            return [self.shelf[rid] for rid in self.ids[i]]
        return self.shelf[self.ids[i]]
