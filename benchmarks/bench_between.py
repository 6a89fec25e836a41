"""Time kl_between: closed forms and the numerical fallback, vectorised against loops.

Run from the repository root:

    python benchmarks/bench_between.py

The vectorised call passes array parameters, ``norm(mu, sigma)`` against
``norm(mu_q, sigma_q)``; the loop makes 10^4 scalar calls. Both give the
same numbers (checked below); the ratio is what array parameters save.

The second part times the numerical fallback on 100 pairs without a closed
form, ``t(df)`` against ``norm()`` with 100 values of df: one call with an
array df, a Python loop of 100 scalar calls, and the hand-written
``scipy.integrate.quad`` of the integrand for each df (what a user would
write, with no checks). Target: the array call faster than the loop.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from scipy import integrate, stats

from kltools import kl_between, kl_normal

N = 10_000
REPEATS_VECTOR = 21
REPEATS_LOOP = 3


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    mu_p, mu_q = rng.normal(size=N), rng.normal(size=N)
    sd_p, sd_q = rng.uniform(0.5, 2.0, size=N), rng.uniform(0.5, 2.0, size=N)

    def vectorised() -> np.ndarray:
        return kl_between(stats.norm(mu_p, sd_p), stats.norm(mu_q, sd_q))

    def loop() -> np.ndarray:
        return np.array(
            [
                kl_between(stats.norm(mu_p[i], sd_p[i]), stats.norm(mu_q[i], sd_q[i]))
                for i in range(N)
            ]
        )

    # Freezing a scipy distribution costs more than kl_between itself, so
    # also time the loop over distributions frozen beforehand.
    frozen = [
        (stats.norm(mu_p[i], sd_p[i]), stats.norm(mu_q[i], sd_q[i])) for i in range(N)
    ]

    def loop_prefrozen() -> np.ndarray:
        return np.array([kl_between(p, q) for p, q in frozen])

    a, b, c = vectorised(), loop(), loop_prefrozen()
    assert np.array_equal(a, b), "vectorised and scalar results differ"
    assert np.array_equal(a, c), "vectorised and scalar results differ"
    assert np.array_equal(a, kl_normal(mu_p, sd_p, mu_q, sd_q))

    t_vec = median_seconds(vectorised, REPEATS_VECTOR)
    t_loop = median_seconds(loop, REPEATS_LOOP)
    t_pre = median_seconds(loop_prefrozen, REPEATS_LOOP)
    print(f"{N} normal pairs, median of {REPEATS_VECTOR} / {REPEATS_LOOP} runs")
    print(f"  one call, array parameters:         {t_vec * 1e3:9.2f} ms")
    print(f"  loop of scalar calls (with freeze): {t_loop * 1e3:9.1f} ms")
    print(f"  loop of scalar calls (pre-frozen):  {t_pre * 1e3:9.1f} ms")
    print(f"  ratio loop (with freeze) / array:   {t_loop / t_vec:9.0f}x")
    print(f"  ratio loop (pre-frozen) / array:    {t_pre / t_vec:9.0f}x")

    fallback()


def fallback() -> None:
    df = np.linspace(2.5, 30.0, 100)
    q = stats.norm()

    def array_call() -> np.ndarray:
        return kl_between(stats.t(df), q)

    def loop() -> np.ndarray:
        return np.array([kl_between(stats.t(d), q) for d in df])

    def hand_quad() -> np.ndarray:
        out = []
        for d in df:
            p = stats.t(d)

            def f(x, p=p):
                lp = p.logpdf(x)
                return np.exp(lp) * (lp - q.logpdf(x))

            out.append(integrate.quad(f, -np.inf, np.inf, limit=200)[0])
        return np.array(out)

    a, b, c = array_call(), loop(), hand_quad()
    assert np.allclose(a, b, rtol=1e-12, atol=0), "array and scalar calls differ"
    err_hand = float(np.max(np.abs(c - a) / a))
    t_arr = median_seconds(array_call, 5)
    t_loop = median_seconds(loop, 3)
    t_hand = median_seconds(hand_quad, 3)
    print("100 t(df) vs norm() pairs, numerical fallback, median of 5 / 3 / 3 runs")
    print(f"  one call, array df:                 {t_arr * 1e3:9.1f} ms")
    print(f"  loop of 100 scalar calls:           {t_loop * 1e3:9.1f} ms")
    print(f"  hand-written quad loop (no checks): {t_hand * 1e3:9.1f} ms")
    print(f"  ratio loop / array:                 {t_loop / t_arr:9.1f}x")
    print(f"  largest relative gap, quad vs ours: {err_hand:9.1e}")


if __name__ == "__main__":
    main()
