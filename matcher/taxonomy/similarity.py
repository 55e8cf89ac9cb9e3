"""How close two concepts are, as a symmetric matrix built from data.

1.0 on the diagonal; the relations table (``program_relations.csv``) for closely related
programs (welding ~ machining, TKJ ~ RPL); study fields relate to the SMK programs they list;
two fields that lean on the same program are related through it; otherwise 0.3 within one
bidang (or field family) and 0 across. The engine looks fit up in numpy, hence the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.language.resources import read_csv_rows
from matcher.taxonomy.program import Program

SAME_BIDANG = 0.3
_VIA_PROGRAM = 0.8
_VIA_PROGRAM_CAP = 0.7


class SimilarityTable:
    """A dense, symmetric concept × concept similarity matrix."""

    def __init__(self, codes: list[str], matrix: np.ndarray) -> None:
        self.codes = codes
        self.matrix = matrix
        self.position = {code: i for i, code in enumerate(codes)}

    @classmethod
    def build(
        cls, programs: Mapping[str, Program], field_relations: Mapping[str, Mapping[str, float]]
    ) -> SimilarityTable:
        """Combine bidang membership, the relations table and field → program links."""
        codes = list(programs)
        pos = {code: i for i, code in enumerate(codes)}
        n = len(codes)
        matrix = np.zeros((n, n), dtype=np.float32)

        def raise_to(a: str, b: str, value: float) -> None:
            i, j = pos[a], pos[b]
            value = max(float(matrix[i, j]), value)
            matrix[i, j] = matrix[j, i] = value

        by_bidang: dict[tuple[str, str], list[str]] = {}
        for code, program in programs.items():
            by_bidang.setdefault((program.kind, program.bidang), []).append(code)
        for members in by_bidang.values():
            for a in members:
                for b in members:
                    if a != b:
                        raise_to(a, b, SAME_BIDANG)
        for row in read_csv_rows("program_relations.csv"):
            raise_to(row["a"], row["b"], float(row["similarity"]))
        for field, related in field_relations.items():
            for target, weight in related.items():
                raise_to(field, target, weight)
        fields = list(field_relations)
        for a in fields:
            for b in fields:
                if a >= b:
                    continue
                shared = [
                    min(field_relations[a][p], field_relations[b][p])
                    for p in field_relations[a].keys() & field_relations[b].keys()
                    if not p.startswith("FIELD_")
                ]
                if shared:
                    raise_to(a, b, min(_VIA_PROGRAM * max(shared), _VIA_PROGRAM_CAP))
        np.fill_diagonal(matrix, 1.0)
        return cls(codes, matrix)

    def get(self, a: str, b: str) -> float:
        """Similarity of two codes; 0 when either is unknown (unknown equal codes give 1)."""
        if a == b:
            return 1.0
        i, j = self.position.get(a), self.position.get(b)
        if i is None or j is None:
            return 0.0
        return float(self.matrix[i, j])
