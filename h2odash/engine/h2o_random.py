"""H2O-3's default random generator (PCG32 behind ``java.util.Random``'s methods), vectorized.

H2O-3 makes many operations reproducible per row by seeding a fresh generator from the row
number (k-fold columns, CreateFrame's cells, MissingInserter). Drawing the same numbers lets
this engine give the same answers as H2O-3 for a given seed. Every function here works on a
numpy array of generator states, one per row or cell, so no Python loop runs over rows.

A state array is ``uint64``; ``java.util.Random`` methods map as H2O-3's ``RandomBase`` has
them: ``next(bits)`` takes the low bits of ``nextLong()``, which joins two ``nextInt()``.
"""
from __future__ import annotations

import numpy as np

_MULTIPLIER = np.uint64(6364136223846793005)
_INC = np.uint64(3)          # stream 1: (1 << 1) | 1, what RandomUtils.getRNG(seed) uses
_DOUBLE_UNIT = 1.0 / (1 << 53)


def _u64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(np.uint64)


class Generators:
    """A generator per element of ``seeds`` (``RandomUtils.getRNG(seed)``), advanced together."""

    def __init__(self, seeds):
        self.state = np.zeros(np.shape(seeds), dtype=np.uint64)
        self.set_seed(seeds)

    def set_seed(self, seeds) -> None:
        """``setSeed``: reset, step, add the seed, step (the PCG reference seeding)."""
        self.state = np.zeros(np.shape(seeds), dtype=np.uint64)
        self.next_int()
        self.state = self.state + _u64(seeds)
        self.next_int()

    def next_int(self) -> np.ndarray:
        """``nextInt()``: int32 values."""
        old = self.state
        with np.errstate(over="ignore"):
            self.state = old * _MULTIPLIER + _INC
        xorshifted = (((old >> np.uint64(18)) ^ old) >> np.uint64(27)) & np.uint64(0xFFFFFFFF)
        rot = old >> np.uint64(59)
        left = (np.uint64(32) - rot) & np.uint64(31)
        rotated = ((xorshifted >> rot) | (xorshifted << left)) & np.uint64(0xFFFFFFFF)
        return rotated.astype(np.uint32).view(np.int32)

    def next_long(self) -> np.ndarray:
        high = self.next_int().astype(np.int64)
        low = self.next_int().astype(np.int64) & np.int64(0xFFFFFFFF)
        return (high << np.int64(32)) | low

    def _next_bits(self, bits: int) -> np.ndarray:
        return self.next_long() & np.int64((1 << bits) - 1)

    def next_double(self) -> np.ndarray:
        """``nextDouble()`` in [0, 1)."""
        high = self._next_bits(26)
        low = self._next_bits(27)
        return ((high << np.int64(27)) + low).astype(np.float64) * _DOUBLE_UNIT

    def next_float(self) -> np.ndarray:
        """``nextFloat()`` in [0, 1), as float64 holding the float32 value."""
        return (self._next_bits(24).astype(np.float64) / float(1 << 24)).astype(np.float32).astype(np.float64)

    def next_int_below(self, bound: int) -> np.ndarray:
        """``nextInt(bound)``: PCG's unbiased bounded draw (redraws below a threshold)."""
        threshold = ((1 << 32) - bound) % bound
        out = np.empty(self.state.shape, dtype=np.int64)
        pending = np.ones(self.state.shape, dtype=bool)
        while pending.any():
            before = self.state
            draw = self.next_int().astype(np.int64) & np.int64(0xFFFFFFFF)
            take = pending & (draw >= threshold)
            out[take] = draw[take] % bound
            # only the generators still drawing advance
            self.state = np.where(pending, self.state, before)
            pending &= ~take
        return out


def first_ints(seeds) -> np.ndarray:
    """The first ``nextInt()`` of ``getRNG(seed)`` for each seed."""
    return Generators(seeds).next_int()


def java_abs_mod(values: np.ndarray, n: int) -> np.ndarray:
    """``Math.abs(int) % n`` with Java's int overflow (abs of the smallest int stays negative)
    and Java's truncating remainder."""
    with np.errstate(over="ignore"):
        magnitude = np.abs(values.astype(np.int32))
    return np.fmod(magnitude.astype(np.int64), n)


def seeded_double(seeds) -> np.ndarray:
    """``rng.setSeed(seed); rng.nextDouble()`` per seed."""
    return Generators(seeds).next_double()


def java_round(x: float) -> int:
    """``Math.round``: half rounds up."""
    return int(np.floor(x + 0.5))


def wrap_long(value: int) -> int:
    """A Python int as Java's 64-bit ``long`` (two's complement wrap)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value
