"""Benchmark `kltools.mi_knn` against scikit-learn's `mutual_info_regression`.

Both compute estimator 1 of Kraskov, Stögbauer and Grassberger (2004) for one
continuous feature against a continuous target, with the same k, on data
without ties. scikit-learn standardises both variables (as `mi_knn` does by
default) and adds Gaussian noise of standard deviation 1e-10 to them; the
noise moves its estimate slightly from one `random_state` to the next.

Targets: `mi_knn` agrees with scikit-learn to within the spread that noise
causes (the range of scikit-learn's estimates over five random states), and
it is at least 2 times faster. Times are the best of a few runs.

Run from the repository root: ``python benchmarks/bench_information.py``
(``--n`` to change the sample size).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from kltools import mi_knn


def timed(repeat, fn, *args, **kwargs):
    """Return the value of ``fn(*args, **kwargs)`` and its best time of `repeat`."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return value, best


def main() -> None:
    from sklearn.feature_selection import mutual_info_regression

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="sample size")
    parser.add_argument("--k", type=int, default=3, help="neighbour (n_neighbors)")
    parser.add_argument("--rho", type=float, default=0.6, help="correlation")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    n, k, rho = args.n, args.k, args.rho

    rng = np.random.default_rng(20040623)
    x = rng.normal(size=n)
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)
    assert np.unique(x).size == n and np.unique(y).size == n  # no ties
    truth = -0.5 * math.log1p(-(rho**2))
    print(f"n = {n}, k = {k}; (X, Y) bivariate normal, correlation {rho}")
    print(f"exact I(X; Y) = -log(1 - rho^2) / 2       = {truth:.9f} nats")
    print(
        f"times are the best of {args.repeat} runs; {os.cpu_count()} cores, "
        f"1-minute load average {os.getloadavg()[0]:.2f} at start"
    )

    ours, t_ours = timed(args.repeat, mi_knn, x, y, k=k)
    print(f"kltools.mi_knn                           = {ours:.9f}  ({t_ours:.3f} s)")
    xs = x[:, None]
    theirs = []
    times = []
    for state in range(max(args.repeat, 5)):
        start = time.perf_counter()
        value = mutual_info_regression(xs, y, n_neighbors=k, random_state=state)[0]
        times.append(time.perf_counter() - start)
        theirs.append(value)
        print(
            f"mutual_info_regression, random_state={state} = {value:.9f}  "
            f"({times[-1]:.3f} s)"
        )
    t_theirs = min(times)
    noise = max(theirs) - min(theirs)
    diff = max(abs(ours - v) for v in theirs)
    speedup = t_theirs / t_ours
    print(
        f"|difference| <= {diff:.2e} against a noise spread of {noise:.2e} "
        f"({'meets' if diff <= noise else 'MISSES'}); "
        f"speed-up = {speedup:.1f}x ({'meets' if speedup >= 2 else 'MISSES'} 2x)"
    )


if __name__ == "__main__":
    main()
