"""Time kltools.kl_divergence against scipy.stats.entropy and np.log.

Run: python benchmarks/bench_discrete.py

A KL needs at least one logarithm per element, so ``np.log(p)`` is the floor
for single-threaded numpy. Targets: at least 6x faster than
``scipy.stats.entropy`` and at most 2x the time of ``np.log(p)``, with extra
memory bounded by a few block-sized buffers (measured here with tracemalloc).

Small calls are timed per call, on 2-, 6- and 100-element pmfs, against the
floor ``scipy.special.rel_entr(p, q).sum()`` (no checks at all) and
``scipy.stats.entropy``; scalar `kltools.kl_normal` against a bare ``math``
expression of the closed form. Targets: `kl_divergence` on 2-element pmfs
within 10 times the floor and at least 10 times faster than
``scipy.stats.entropy``; scalar `kl_normal` within 10 times the bare
expression.

Run ``python benchmarks/bench_discrete.py --small`` for the per-call part only.
"""

from __future__ import annotations

import math
import sys
import time
import timeit
import tracemalloc

import numpy as np
import scipy.special
import scipy.stats

import kltools


def median_time(f, repeat: int) -> float:
    f()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def peak_extra_bytes(f) -> int:
    tracemalloc.start()
    f()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def compare(label: str, p: np.ndarray, q: np.ndarray, repeat: int) -> None:
    ours = median_time(lambda: kltools.kl_divergence(p, q), repeat)
    theirs = median_time(
        lambda: scipy.stats.entropy(p, q, axis=-1), max(3, repeat // 3)
    )
    floor = median_time(lambda: np.log(p), repeat)
    extra = peak_extra_bytes(lambda: kltools.kl_divergence(p, q))
    diff = np.max(
        np.abs(kltools.kl_divergence(p, q) - scipy.stats.entropy(p, q, axis=-1))
    )
    print(f"{label}")
    print(f"  kltools.kl_divergence  {ours:9.4f} s")
    print(f"  scipy.stats.entropy    {theirs:9.4f} s")
    print(f"  np.log(p) alone        {floor:9.4f} s")
    print(f"  speed-up over scipy    {theirs / ours:9.1f} x   (target >= 6)")
    print(f"  time / np.log(p)       {ours / floor:9.2f} x   (target <= 2)")
    print(
        f"  peak extra memory      {extra / 2**20:9.2f} MiB "
        f"(inputs {p.nbytes / 2**20:.0f} MiB each)"
    )
    print(f"  max |ours - scipy|     {diff:9.2e}")


def per_call(f, number: int = 2000) -> float:
    """Best of 5 runs of `number` calls, in microseconds per call."""
    return min(timeit.repeat(f, number=number, repeat=5)) / number * 1e6


def small_calls() -> None:
    rng = np.random.default_rng(0)
    print("per call, in microseconds (best of 5 x 2000 calls)")
    print(
        f"  {'k':>4} {'kl_div':>8} {'floor':>7} {'scipy':>8} {'entropy':>8} "
        f"{'js_div':>8} {'kl/floor':>9} {'scipy/kl':>9}"
    )
    for k in (2, 6, 100):
        p, q = rng.dirichlet(np.ones(k), 2)
        kl = per_call(lambda p=p, q=q: kltools.kl_divergence(p, q))
        floor = per_call(lambda p=p, q=q: scipy.special.rel_entr(p, q).sum())
        sc = per_call(lambda p=p, q=q: scipy.stats.entropy(p, q), 500)
        h = per_call(lambda p=p: kltools.entropy(p))
        js = per_call(lambda p=p, q=q: kltools.js_divergence(p, q))
        print(
            f"  {k:4d} {kl:8.2f} {floor:7.2f} {sc:8.2f} {h:8.2f} {js:8.2f} "
            f"{kl / floor:9.1f} {sc / kl:9.1f}"
        )
    print("  targets at k = 2: kl/floor <= 10, scipy/kl >= 10")

    def bare(mp=0.0, sp=1.0, mq=1.0, sq=2.0):
        r = sp / sq
        return math.log(1 / r) + (r * r + ((mp - mq) / sq) ** 2 - 1) / 2

    ours = per_call(lambda: kltools.kl_normal(0.0, 1.0, 1.0, 2.0))
    expr = per_call(bare)
    print(
        f"  scalar kl_normal {ours:6.2f}   bare math expression {expr:5.2f}   "
        f"ratio {ours / expr:4.1f} (target <= 10)"
    )


def main() -> None:
    small_calls()
    if "--small" in sys.argv:
        return
    rng = np.random.default_rng(0)
    n = 20_000_000
    p = rng.random(n)
    p /= p.sum()
    q = rng.random(n)
    q /= q.sum()
    compare(f"one pair of pmfs, {n:.0e} elements", p, q, repeat=21)
    del p, q

    p = rng.random((100_000, 200))
    p /= p.sum(axis=1, keepdims=True)
    q = rng.random((100_000, 200))
    q /= q.sum(axis=1, keepdims=True)
    compare("a batch of 1e5 x 200 pmfs, axis=-1", p, q, repeat=21)


if __name__ == "__main__":
    main()
