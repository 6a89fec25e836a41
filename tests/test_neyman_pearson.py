"""Tests for kltools.neyman_pearson_beta and kltools.stein_exponent."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from kltools import kl_divergence, neyman_pearson_beta, stein_exponent


def _brute_beta(p, q, n, alpha):
    """Most powerful level-alpha test over all K**n sequences, in plain Python.

    Sequences are sorted by likelihood ratio q/p (largest first) and rejected
    until the size reaches alpha, randomising on the boundary sequence.
    """
    seqs = []
    for seq in itertools.product(range(len(p)), repeat=n):
        p0 = math.prod(p[i] for i in seq)
        p1 = math.prod(q[i] for i in seq)
        ratio = math.inf if p0 == 0 else p1 / p0
        seqs.append((ratio, p0, p1))
    seqs.sort(key=lambda t: -t[0])
    size, beta = 0.0, 0.0
    for _, p0, p1 in seqs:
        if size + p0 <= alpha:
            size += p0  # rejected outright
        else:
            gamma = (alpha - size) / p0
            size = alpha
            beta += (1 - gamma) * p1
    return beta


@pytest.mark.parametrize(
    ("p", "q", "n", "alpha"),
    [
        ([0.5, 0.5], [0.25, 0.75], 8, 0.05),
        ([0.2, 0.3, 0.5], [0.4, 0.4, 0.2], 6, 0.1),
        ([0.2, 0.3, 0.5], [0.4, 0.4, 0.2], 5, 0.01),
        ([0.5, 0.5, 0.0], [0.3, 0.3, 0.4], 5, 0.05),  # q can produce what p cannot
        ([0.4, 0.4, 0.2], [0.5, 0.5, 0.0], 5, 0.05),  # p can produce what q cannot
    ],
)
def test_beta_against_all_sequences(p, q, n, alpha):
    """Exact beta from count vectors equals the brute force over sequences."""
    got = neyman_pearson_beta(p, q, n, alpha)
    np.testing.assert_allclose(got, _brute_beta(p, q, n, alpha), rtol=1e-11, atol=1e-15)


def _binomial_ump_log_beta(n, alpha):
    """UMP test of P(tails) = 1/2 against 3/4, from scipy.stats.binom.

    The ratio increases with the number of tails k: reject for k > c and with
    probability gamma at k = c.
    """
    null, alt = stats.binom(n, 0.5), stats.binom(n, 0.75)
    c = int(np.argmax(null.sf(np.arange(n + 1)) <= alpha))  # P0(K > c) <= alpha
    gamma = (alpha - null.sf(c)) / null.pmf(c)
    return math.log(alt.cdf(c - 1) + (1 - gamma) * alt.pmf(c))


@pytest.mark.parametrize("n", [1, 30, 400, 1000])
def test_coin_against_binomial_ump(n):
    """For two coins the test is the binomial UMP test; beta down to ~1e-50."""
    got = neyman_pearson_beta([0.5, 0.5], [0.25, 0.75], n, 0.05, log=True)
    np.testing.assert_allclose(got, _binomial_ump_log_beta(n, 0.05), rtol=1e-9)


def test_stein_exponent_is_minus_log_beta_over_n():
    ns = np.array([5, 50, 500])
    got = stein_exponent([0.5, 0.5], [0.25, 0.75], ns, 0.05)
    want = [-_binomial_ump_log_beta(int(n), 0.05) / n for n in ns]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_stein_exponent_approaches_kl_from_below():
    """At n = 20000 the exponent is within 5% of D(p||q) = (1/2) log(4/3).

    The gap is ~ z_{0.95} sd / sqrt(n) = 0.006 (the log-ratio has sd
    log(3)/2 per draw); D computed independently as 0.5 * log(4 / 3).
    """
    d = 0.5 * math.log(4 / 3)
    np.testing.assert_allclose(kl_divergence([0.5, 0.5], [0.25, 0.75]), d)
    e = stein_exponent([0.5, 0.5], [0.25, 0.75], [20000], 0.05)[0]
    assert d * 0.95 < e < d


def test_extreme_sizes():
    """alpha = 1 rejects always (beta = 0); alpha = 0 never rejects (beta = 1)."""
    assert neyman_pearson_beta([0.5, 0.5], [0.25, 0.75], 10, 1.0) == 0.0
    np.testing.assert_allclose(
        neyman_pearson_beta([0.5, 0.5], [0.25, 0.75], 10, 0.0), 1.0
    )


def test_bad_input():
    with pytest.raises(ValueError, match="`alpha` must be in"):
        neyman_pearson_beta([0.5, 0.5], [0.5, 0.5], 3, 1.5)
    with pytest.raises(TypeError, match="`n` must be a positive integer"):
        neyman_pearson_beta([0.5, 0.5], [0.5, 0.5], 3.0, 0.05)
    with pytest.raises(ValueError, match="`n` must be a positive integer"):
        neyman_pearson_beta([0.5, 0.5], [0.5, 0.5], 0, 0.05)
    with pytest.raises(ValueError, match="`q` must sum to 1"):
        neyman_pearson_beta([0.5, 0.5], [0.5, 0.6], 3, 0.05)
    with pytest.raises(ValueError, match="`p` has 2 outcomes but `q` has 3"):
        stein_exponent([0.5, 0.5], [0.2, 0.3, 0.5], [3], 0.05)
    with pytest.raises(TypeError, match="`n` must hold integers"):
        stein_exponent([0.5, 0.5], [0.5, 0.5], [3.0], 0.05)
