"""Tests for kltools.g_test."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from kltools import g_test


@pytest.mark.parametrize(
    ("counts", "p0"),
    [
        ([18, 22, 20, 25, 15, 20], [1 / 6] * 6),
        ([5, 0, 12], [0.2, 0.3, 0.5]),  # an empty cell: 0 log 0 = 0
        ([40, 60], [0.5, 0.5]),
    ],
)
def test_statistic_and_pvalue_match_scipy(counts, p0):
    """G and its chi-squared p-value equal scipy's power_divergence."""
    n = sum(counts)
    want = stats.power_divergence(counts, n * np.asarray(p0), lambda_="log-likelihood")
    got = g_test(counts, p0, exact=False)
    np.testing.assert_allclose(got.statistic, want.statistic, rtol=1e-12)
    np.testing.assert_allclose(got.pvalue, want.pvalue, rtol=1e-10)
    assert got.dof == len(counts) - 1
    assert got.exact_pvalue is None


def test_batch_matches_one_at_a_time():
    """Rows of a 2-D array are separate tests, of any sizes."""
    counts = np.array([[3, 4, 5], [10, 0, 2], [1, 1, 1]])
    p0 = [0.2, 0.3, 0.5]
    batch = g_test(counts, p0)
    for i, row in enumerate(counts):
        one = g_test(row, p0)
        np.testing.assert_allclose(batch.statistic[i], one.statistic, rtol=1e-14)
        np.testing.assert_allclose(batch.exact_pvalue[i], one.exact_pvalue, rtol=1e-14)


def _brute_exact_pvalue(counts, p0):
    """P(G >= G_obs) summed over every sequence of n draws (K**n of them)."""
    n, k = sum(counts), len(counts)

    def g_of(c):
        return 2 * sum(
            ci * math.log(ci / (n * pi)) for ci, pi in zip(c, p0, strict=True) if ci
        )

    g_obs = g_of(counts)
    total = 0.0
    for seq in itertools.product(range(k), repeat=n):
        c = [seq.count(i) for i in range(k)]
        if g_of(c) >= g_obs - 1e-9:
            total += math.prod(p0[i] for i in seq)
    return total


@pytest.mark.parametrize(
    ("counts", "p0"),
    [([4, 1, 2], [0.2, 0.3, 0.5]), ([0, 7, 0], [0.2, 0.3, 0.5]), ([3, 5], [0.5, 0.5])],
)
def test_exact_pvalue_against_sequences(counts, p0):
    """The exact p-value equals a brute-force sum over all draw sequences."""
    got = g_test(counts, p0, exact=True).exact_pvalue
    np.testing.assert_allclose(got, _brute_exact_pvalue(counts, p0), rtol=1e-12)


def test_exact_pvalue_of_symmetric_coin_is_two_sided_binomial():
    """For a fair coin, G is monotone in |k - n/2|: binomial two-sided tail."""
    got = g_test([3, 17], [0.5, 0.5], exact=True).exact_pvalue
    want = stats.binomtest(3, 20, 0.5).pvalue
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_auto_skips_large_enumerations():
    res = g_test([20] * 6, [1 / 6] * 6)  # comb(125, 5) ~ 2.3e8 count vectors
    assert res.exact_pvalue is None
    with pytest.raises(ValueError, match="more than 1000000"):
        g_test([20] * 6, [1 / 6] * 6, exact=True)


def test_bad_input():
    with pytest.raises(ValueError, match="`counts` must hold non-negative integer"):
        g_test([1.5, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="`counts` must hold non-negative integer"):
        g_test([-1, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="`p0` must sum to 1"):
        g_test([1, 2], [0.5, 0.6])
    with pytest.raises(ValueError, match="`p0` must have every entry positive"):
        g_test([1, 2], [0.0, 1.0])
    with pytest.raises(ValueError, match="`counts` has 3 outcomes but `p0` has 2"):
        g_test([1, 2, 3], [0.5, 0.5])
    with pytest.raises(ValueError, match="at least one draw"):
        g_test([0, 0], [0.5, 0.5])
    with pytest.raises(TypeError, match="`exact` must be"):
        g_test([1, 2], [0.5, 0.5], exact="yes")
