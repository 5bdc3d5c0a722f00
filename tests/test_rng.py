"""drill.core.rng draws what ``numpy.random.default_rng`` draws, bit for bit, so every stored seed and
replay line still gives the same question; and drawing a variant no longer imports numpy.

The reference is numpy itself (a runtime dependency of the solvers, so it is always there):
(a) every call drill makes, with every argument shape, on many seeds and question ids, interleaved
in random order (the 32-bit draws keep half a 64-bit word between calls), compared draw by draw;
(b) the whole bank: ``make_variant`` with the RNG numpy gave before and with drill.core.rng, seeds 0..N
(N = 30; set DRILL_RNG_SEEDS for a longer run).
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import zlib

import pytest

from drill.core.rng import Generator

np = pytest.importorskip("numpy")

SEEDS = [0, 1, 2, 3, 7, 42, 123_456, 999_999, 2**32 - 1, 2**32, 2**40 + 5, 2**63 + 11, 2**70 + 3]
KEYS = ["conv-layer-params", "softmax-ce-grad", "", "a:perturb", "ünïcode-id"]
DRAWS_PER_STREAM = 1600  # 13 seeds × 5 keys × 1600 = 104,000 draws

CALLS = [
    # integers(n): _pick over an n-option list, a stepped int range; spans across 2**32 and up to 2**63
    *[("integers", (n,)) for n in (1, 2, 3, 4, 5, 7, 10, 64, 1000, 2**31 + 1, 2**32 - 1, 2**32, 2**32 + 1, 2**40, 2**63 - 1, 2**63)],
    # integers(lo, hi + 1): a count or int range, negative lows, single-value ranges, 2**32 and 2**64 values
    *[("integers", b) for b in ((-5, 6), (-3, -2), (7, 8), (0, 1), (1, 4), (-(10**6), 10**6), (-(2**31), 2**31),
                                (-1, 2**32 - 1), (-(2**32), 2**32), (2**32, 2**33), (-(2**63), 2**63),
                                # spans whose Lemire rejection is frequent (~25 %) and depends on the threshold
                                (3, 3 * 2**30 + 17), (-(2**63), 2**62 + 1), (0, 6 * 10**18 + 7))],
    # uniform(lo, hi): float ranges, tiny and huge, negative, empty (lo == hi), a signed zero
    *[("uniform", b) for b in ((0.0, 1.0), (-3.0, 3.0), (0.001, 0.1), (1e-9, 1e9), (-1e6, -1e3), (2.5, 2.5), (-0.0, 0.0), (-2.0, 7))],
    ("random", ()),
]


def numpy_rng_for(question_id: str, seed: int):
    """The variant RNG as drill built it before drill.core.rng: numpy's own generator."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(seed) >> 32, zlib.crc32(question_id.encode())])


def words(seed: int, key: str) -> list[int]:
    return [seed & 0xFFFFFFFF, seed >> 32, zlib.crc32(key.encode())]


def same(x, y) -> bool:
    """Equal to the bit: ints by value, floats by their hex (so 0.0 and -0.0 differ)."""
    if isinstance(x, float) or isinstance(y, float):
        return isinstance(y, float) and float(x).hex() == y.hex()
    return int(x) == y and isinstance(y, int)


@pytest.mark.parametrize("key", KEYS)
def test_every_call_drill_makes_draws_what_numpy_draws(key):
    draws = 0
    for seed in SEEDS:
        ref, ours = np.random.default_rng(words(seed, key)), Generator(words(seed, key))
        order = random.Random(f"{seed}/{key}")  # interleave the calls differently on each stream
        for i in range(DRAWS_PER_STREAM):
            name, args = CALLS[i % len(CALLS)] if i < len(CALLS) else order.choice(CALLS)
            x, y = getattr(ref, name)(*args), getattr(ours, name)(*args)
            assert same(x, y), (seed, key, i, name, args, x, y)
            draws += 1
    assert draws == len(SEEDS) * DRAWS_PER_STREAM


def test_draws_cover_both_ends_of_small_ranges():
    """Sanity of the comparison above: the draws it compares really vary and reach both ends."""
    g = Generator(words(5, "x"))
    assert {g.integers(3) for _ in range(200)} == {0, 1, 2}
    assert {g.integers(-3, -1) for _ in range(200)} == {-3, -2}
    assert {g.integers(7, 8) for _ in range(20)} == {7}
    u = [g.uniform(-2.0, 3.0) for _ in range(2000)]
    assert -2.0 <= min(u) < -1.9 and 2.9 < max(u) < 3.0


def test_seed_entropy_is_read_as_numpy_reads_it():
    """Ints split into 32-bit words, low first, whatever the container; a single int too."""
    for entropy in (0, 5, 2**32 + 7, 2**200 + 9, [0], [], [1, 2], (1, 2), range(9), [2**70, 3]):
        ref, ours = np.random.default_rng(entropy), Generator(entropy)
        assert [int(ref.integers(2**40)) for _ in range(20)] == [ours.integers(2**40) for _ in range(20)], entropy


BAD_CALLS = [
    ("integers", (0,)), ("integers", (-1,)), ("integers", (5, 5)), ("integers", (5, 4)),
    ("integers", (-(2**63) - 1, 0)), ("integers", (0, 2**63 + 1)), ("integers", (2**64,)),
    ("uniform", (math.nan, 1.0)), ("uniform", (0.0, math.inf)), ("uniform", (-1e308, 1e308)),
    ("uniform", (5.0, 1.0)), ("uniform", (0.0, -0.0)),
]


@pytest.mark.parametrize("name, args", BAD_CALLS)
def test_a_range_numpy_rejects_is_rejected_alike_and_draws_nothing(name, args):
    ref, ours = np.random.default_rng(words(9, "q")), Generator(words(9, "q"))
    ours.integers(10), ref.integers(10)  # half a 64-bit word is kept: an error must not lose it
    with pytest.raises(Exception) as expected:
        getattr(ref, name)(*args)
    with pytest.raises(expected.type):
        getattr(ours, name)(*args)
    assert [int(ref.integers(100)) for _ in range(5)] == [ours.integers(100) for _ in range(5)]


@pytest.mark.parametrize("entropy", [-1, [1, -1], [1.5], 1.5, "7"])
def test_bad_entropy_is_rejected_alike(entropy):
    with pytest.raises(Exception) as expected:
        np.random.default_rng(entropy)
    with pytest.raises(expected.type):
        Generator(entropy)


# (b) the whole bank ------------------------------------------------------------------------------

N_SEEDS = int(os.environ.get("DRILL_RNG_SEEDS", "30"))


def _bank_ids():
    from drill.core.bank import load_bank

    return sorted(load_bank().questions)


def _outcome(q, seed):
    from drill.core.variants import VariantError, make_variant

    try:
        v = make_variant(q, seed)
    except VariantError as exc:
        return ("VariantError", exc.field)
    return (v.params, v.prompt, repr(v.answer), v.choices)


@pytest.mark.parametrize("qid", _bank_ids())
def test_every_bank_variant_is_the_question_numpy_drew(bank, qid, monkeypatch):
    import drill.core.variants

    q = bank.questions[qid]
    ours = [_outcome(q, seed) for seed in range(N_SEEDS + 1)]
    monkeypatch.setattr(drill.core.variants, "rng_for", numpy_rng_for)
    before = [_outcome(q, seed) for seed in range(N_SEEDS + 1)]
    for seed, (x, y) in enumerate(zip(before, ours)):
        assert x == y, (qid, seed, x, y)
    assert any(o != ours[0] for o in ours[1:]) or not q.vary, (qid, "no variant differs: the comparison saw nothing")


def test_drawing_a_variant_does_not_import_numpy():
    probe = (
        "import sys\n"
        "from drill.core.bank import load_bank\n"
        "from drill.core.variants import draw_params, rng_for\n"
        "q = load_bank().questions['conv-layer-params']\n"
        "print(draw_params(q, rng_for(q.id, 3)))\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[-1] == "False", out
    assert out[0].startswith("{"), out
