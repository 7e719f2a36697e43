"""Named random streams, one per purpose and calendar date.

Every stream is a :class:`numpy.random.Generator` seeded from
``SeedSequence(entropy=seed, spawn_key=(*root_key, purpose_id, date_ordinal, sub))``. Keying
by purpose means changing how one thing is drawn never shifts another (common random
numbers: changing the staffing leaves every arrival, handle time and patience identical);
keying by calendar date means a December run and a full-year run with the same seed draw
identical Decembers, and changing one day's opening hours leaves the other days untouched.
"""

from __future__ import annotations

import zlib

import numpy as np

PURPOSES: tuple[str, ...] = (
    "day_factor",
    "arrivals",
    "displaced",
    "talk",
    "hold",
    "wrap",
    "patience",
    "logging",
    "transfer",
    "callback",
    "repeat",
    "repeat_calls",
    "balk",
    "case_arrivals",
    "case_kind",
    "case_handle",
    "phone_case",
    "resolution",
)


def purpose_id(name: str) -> int:
    """A stable integer for a purpose name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of per-purpose, per-date generators from one root seed."""

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)

    def rng(self, purpose: str, day_ordinal: int, sub: int = 0) -> np.random.Generator:
        """The generator for ``purpose`` on the date with ``date.toordinal() == day_ordinal``."""
        if purpose not in PURPOSES:
            raise KeyError(f"unknown random stream purpose {purpose!r}; known: {PURPOSES}")
        key = (*self.root.spawn_key, purpose_id(purpose), day_ordinal, sub)
        seq = np.random.SeedSequence(entropy=self.root.entropy, spawn_key=key)
        return np.random.Generator(np.random.PCG64(seq))
