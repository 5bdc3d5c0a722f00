"""The variant RNG in pure Python: ``numpy.random.default_rng(entropy)``, bit for bit, for drill's draws.

Variant ``seed`` of a question is drawn from ``default_rng([seed & 0xFFFFFFFF, seed >> 32,
crc32(question id)])`` (``drill.core.variants.rng_for``). drill makes three scalar calls on it
(``drill/variants.py``, ``drill/quality.py``): ``integers(n)``, ``integers(lo, hi)``, ``uniform(lo, hi)``.
This module reproduces exactly those (and ``random()``, the float ``uniform`` is built on), so a
question that never needs numpy is drawn without importing it, and every stored seed and replay line
still gives the same question::

    g = Generator([seed & 0xFFFFFFFF, seed >> 32, zlib.crc32(qid.encode())])
    g.integers(n)          # int in [0, n)        numpy: Generator.integers(n)
    g.integers(lo, hi)     # int in [lo, hi)      numpy: Generator.integers(lo, hi)  (int64)
    g.uniform(lo, hi)      # float lo + (hi-lo)·u numpy: Generator.uniform(lo, hi)
    g.random()             # float in [0, 1)      numpy: Generator.random()

Each piece mirrors the numpy source named beside it (numpy 2.x, ``numpy/random/``):

- ``bit_generator.pyx`` — ``SeedSequence``: ``_coerce_to_uint32_array`` (ints split into 32-bit words,
  low word first), ``hashmix``/``mix``, ``mix_entropy`` over a pool of 4 words, ``generate_state``.
- ``_pcg64.pyx``, ``src/pcg64/pcg64.h``, ``pcg64.c`` — ``PCG64``: seeded from ``generate_state(4,
  uint64)`` (state = words 0·1, increment = words 2·3), 128-bit LCG step then XSL-RR output;
  ``next_uint32`` hands out the low half of a 64-bit draw and keeps the high half for the next call.
- ``_common.pxd`` ``uint64_to_double`` — ``next_double = (next_uint64 >> 11) · 2⁻⁵³``.
- ``_bounded_integers.pyx.in`` ``_rand_int64`` (scalar path) and ``src/distributions/distributions.c``
  ``random_bounded_uint64_fill`` — Lemire's method: a span below 2³² draws 32-bit words
  (``buffered_bounded_lemire_uint32``), a wider one 64-bit words (``bounded_lemire_uint64``); a span
  of exactly 2³² or 2⁶⁴ values takes one raw word; a single value draws nothing.
- ``_generator.pyx`` ``Generator.uniform``, ``_common.pyx`` ``cont``/``check_constraint``,
  ``distributions.c`` ``random_uniform`` — ``low + (high − low)·next_double``, with numpy's checks.

Errors are numpy's own (type and message), so a bank range that numpy rejects is rejected the same way.
``uniform`` rounds twice (``span·u``, then ``low +``), as numpy's C does unless a compiler fuses it into
one FMA; tests/test_rng.py compares against the installed numpy, so such a platform would show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["Generator"]

M32, M64, M128 = (1 << 32) - 1, (1 << 64) - 1, (1 << 128) - 1

# SeedSequence constants (bit_generator.pyx)
POOL_SIZE = 4
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT = 16

# PCG64 multiplier (pcg64.h PCG_DEFAULT_MULTIPLIER_HIGH/LOW)
PCG_MULT = (2549297995355413924 << 64) | 4865540595714422341

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def _int_words(n: int) -> list[int]:
    """``_int_to_uint32_array``: a non-negative int as 32-bit words, lowest first (0 is one word)."""
    if not isinstance(n, int):
        raise TypeError("seed must be integer")
    if n < 0:
        raise ValueError("expected non-negative integer")
    words = [n & M32]
    while n := n >> 32:
        words.append(n & M32)
    return words


def _uint32_words(entropy: int | Sequence[int]) -> list[int]:
    """``_coerce_to_uint32_array``: an int's words, or a sequence's items' words one after another."""
    if isinstance(entropy, int):
        return _int_words(entropy)
    return [w for item in entropy for w in _int_words(item)]


def _seed_words(entropy: int | Sequence[int], n_words: int) -> list[int]:
    """``SeedSequence(entropy).generate_state(n_words, uint32)`` (no spawn key, pool of 4)."""
    words = _uint32_words(entropy)
    hash_const = INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value ^= hash_const
        hash_const = hash_const * MULT_A & M32
        value = value * hash_const & M32
        return value ^ (value >> XSHIFT)

    def mix(x: int, y: int) -> int:
        result = (MIX_MULT_L * x - MIX_MULT_R * y) & M32
        return result ^ (result >> XSHIFT)

    pool = [hashmix(words[i] if i < len(words) else 0) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(POOL_SIZE, len(words)):
        for dst in range(POOL_SIZE):
            pool[dst] = mix(pool[dst], hashmix(words[src]))

    out, hash_const = [], INIT_B
    for i in range(n_words):
        value = pool[i % POOL_SIZE] ^ hash_const
        hash_const = hash_const * MULT_B & M32
        value = value * hash_const & M32
        out.append(value ^ (value >> XSHIFT))
    return out


class Generator:
    """``numpy.random.default_rng(entropy)`` (PCG64), for the scalar draws drill makes.

    ``entropy`` is a non-negative int or a sequence of them, as numpy's ``SeedSequence`` takes it.
    """

    def __init__(self, entropy: int | Sequence[int]) -> None:
        if not isinstance(entropy, (int, list, tuple, range)):
            raise TypeError(f"SeedSequence expects int or sequence of ints for entropy not {entropy}")
        w = _seed_words(entropy, 8)  # generate_state(4, uint64): word k = w[2k] | w[2k+1] << 32
        seed = [w[2 * k] | w[2 * k + 1] << 32 for k in range(4)]
        init_state, init_seq = seed[0] << 64 | seed[1], seed[2] << 64 | seed[3]
        # pcg_setseq_128_srandom_r
        self._inc = (init_seq << 1 | 1) & M128
        self._state = self._inc  # state 0, one step
        self._state = ((self._state + init_state) * PCG_MULT + self._inc) & M128
        self._half: int | None = None  # the kept high half of a 64-bit draw (has_uint32/uinteger)

    def _next64(self) -> int:
        """``pcg64_next64``: step the LCG, then XSL-RR: rotate (high ^ low) right by the top 6 bits."""
        self._state = state = (self._state * PCG_MULT + self._inc) & M128
        x, r = ((state >> 64) ^ state) & M64, state >> 122
        return ((x >> r) | (x << (-r & 63))) & M64

    def _next32(self) -> int:
        """``pcg64_next32``: the low half of a fresh 64-bit draw, or the high half kept from the last."""
        if self._half is not None:
            half, self._half = self._half, None
            return half
        x = self._next64()
        self._half = x >> 32
        return x & M32

    def _bounded(self, span: int) -> int:
        """``random_bounded_uint64_fill`` (Lemire, unmasked): an int in [0, span], 0 ≤ span < 2⁶⁴."""
        if span == 0:
            return 0
        if span <= M32:
            if span == M32:
                return self._next32()
            excl = span + 1  # buffered_bounded_lemire_uint32
            m = self._next32() * excl
            if m & M32 < excl:
                threshold = (M32 - span) % excl
                while m & M32 < threshold:
                    m = self._next32() * excl
            return m >> 32
        if span == M64:
            return self._next64()
        excl = span + 1  # bounded_lemire_uint64
        m = self._next64() * excl
        if m & M64 < excl:
            threshold = (M64 - span) % excl
            while m & M64 < threshold:
                m = self._next64() * excl
        return m >> 64

    def integers(self, low: int, high: int | None = None) -> int:
        """An int in [low, high), or [0, low) when ``high`` is None (int64, like numpy's default)."""
        if high is None:
            low, high = 0, low
        low, high = int(low), int(high) - 1  # numpy draws on the closed interval [low, high - 1]
        if low < INT64_MIN:
            raise ValueError("low is out of bounds for int64")
        if high > INT64_MAX:
            raise ValueError("high is out of bounds for int64")
        if low > high:
            raise ValueError("high <= 0" if low == 0 else "low >= high")
        return low + self._bounded(high - low)

    def random(self) -> float:
        """A float in [0, 1): ``(next_uint64 >> 11) · 2⁻⁵³``."""
        return (self._next64() >> 11) * (1.0 / 9007199254740992.0)

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        """A float in [low, high): ``low + (high − low)·random()``."""
        low, high = float(low), float(high)
        span = high - low
        if not math.isfinite(span):
            raise OverflowError("high - low range exceeds valid bounds")
        if math.copysign(1.0, span) < 0:  # check_constraint CONS_NON_NEGATIVE: signbit, so −0.0 too
            raise ValueError("high - low < 0")
        return low + span * self.random()
