"""Errors raised by the matching engine.

One tree, so callers (the service, a notebook) can catch at the level they care about::

    MatcherError
    ├── RecordValidationError   a candidate or vacancy failed validation (names field and problem)
    ├── UnknownRecordError      an id the engine does not hold
    ├── NotFittedError          a method that needs ``fit`` was called before it (also a
    │                           ValueError and an AttributeError, like scikit-learn's)
    ├── ArtifactError           a saved folder is missing, torn, or from an incompatible version
    │   ├── ModelIntegrityError the bundled encoder's files do not match their pinned hashes
    │   └── EncoderUnavailable  the encoder's model failed to load (``matcher.deferred_encoder``)
    └── IndexBackendError       faiss or Milvus failed; the library error is chained as __cause__

Bad arguments (``k=0``, an unknown direction) raise plain ``ValueError`` with one sentence.

Nothing here imports scikit-learn: every process that touches the engine imports this module, and
scikit-learn (with scipy and pandas behind it) took about a second of ``cocok serve``'s start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class MatcherError(Exception):
    """Base class of every error the engine raises on purpose."""


class RecordValidationError(MatcherError, ValueError):
    """A record failed validation; ``errors`` lists ``{"loc": [...], "msg": "..."}`` items."""

    def __init__(self, message: str, errors: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.errors: list[dict[str, Any]] = list(errors)


class UnknownRecordError(MatcherError, KeyError):
    """The engine holds no candidate or vacancy with this id."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"unknown {kind} id: {record_id!r}")
        self.kind = kind
        self.record_id = record_id

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0])


class NotFittedError(MatcherError, ValueError, AttributeError):
    """Raised before ``fit``.

    It has the bases of ``sklearn.exceptions.NotFittedError`` (``ValueError``,
    ``AttributeError``), so ``except ValueError`` and ``hasattr``-style checks treat it as they
    treat scikit-learn's; it is not scikit-learn's class itself, which would put scikit-learn on
    every import path (tests/test_startup_imports.py holds both facts).
    """


class ArtifactError(MatcherError):
    """A saved artifact folder cannot be loaded as it is."""


class ModelIntegrityError(ArtifactError):
    """Model files differ from their pinned hashes: refuse to run on weights nobody reviewed."""


class EncoderUnavailable(ArtifactError):
    """The encoder's model could not be loaded; nothing can be embedded until a restart."""


class IndexBackendError(MatcherError):
    """The vector index library failed; the original exception is chained."""
