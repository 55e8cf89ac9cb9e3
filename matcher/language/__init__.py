"""Indonesian text handling: normalise, tokenise, stem, and protected-attribute wording.

The functions here share one lazily built :class:`Language`; build your own with
``Language.load()`` when you need separate state (tests, benchmarks).
"""

from matcher.language.pipeline import (
    Language,
    default_language,
    normalise,
    protected_wording,
    scrub_protected,
    stem,
    tokenize,
)

__all__ = [
    "Language",
    "default_language",
    "normalise",
    "protected_wording",
    "scrub_protected",
    "stem",
    "tokenize",
]
