"""Tests for kltools.discretize."""

import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from kltools import discretize

mpmath.mp.dps = 30


def _mp_normal_cell(a, b, mu, sigma):
    """P(a < X <= b) for X ~ N(mu, sigma^2), with mpmath at 30 digits.

    Written with erfc (the survival function), so far upper cells keep
    their digits: sf(x) = erfc((x - mu) / (sigma sqrt 2)) / 2.
    """

    def sf(x):
        return mpmath.erfc((mpmath.mpf(x) - mu) / (sigma * mpmath.sqrt(2))) / 2

    upper = mpmath.mpf(1) if a is None else sf(a)
    lower = mpmath.mpf(0) if b is None else sf(b)
    return float(upper - lower)


def test_normal_cells_against_mpmath():
    """Every cell, the folded ends included, matches mpmath's normal CDF."""
    mu, sigma = 2.5, 3.0
    support = np.arange(0, 12)
    got = discretize(stats.norm(mu, sigma), support)
    want = [
        _mp_normal_cell(
            None if k == 0 else k - 0.5, None if k == 11 else k + 0.5, mu, sigma
        )
        for k in support
    ]
    np.testing.assert_allclose(got, want, rtol=1e-13)
    np.testing.assert_allclose(got.sum(), 1.0, rtol=1e-15)


def test_far_upper_tail_keeps_its_digits():
    """A cell 30 sd out is ~1e-198, not 0: computed from the survival function.

    A plain CDF difference would give 0 (1 - 1) there.
    """
    got = discretize(stats.norm(0, 1), np.arange(0, 41))
    np.testing.assert_allclose(got[30], _mp_normal_cell(29.5, 30.5, 0, 1), rtol=1e-10)
    assert got[30] > 0


def test_lower_tail_is_folded_into_first_integer():
    """The first entry is P(X <= 0.5): the mass below 0 is kept, not dropped."""
    dist = stats.norm(1.0, 2.0)
    got = discretize(dist, np.arange(0, 10))
    np.testing.assert_allclose(got[0], _mp_normal_cell(None, 0.5, 1.0, 2.0), rtol=1e-14)
    wider = discretize(dist, np.arange(-1, 10))  # tail kept apart in cell -1
    np.testing.assert_allclose(wider[0], _mp_normal_cell(None, -0.5, 1.0, 2.0))


def test_discrete_distribution_gives_its_pmf():
    """For a Poisson the interior is its pmf and the last cell is P(X >= 9)."""
    dist = stats.poisson(3.2)
    got = discretize(dist, np.arange(2, 10))
    k = np.arange(3, 9)
    np.testing.assert_allclose(
        got[1:-1],
        3.2**k * np.exp(-3.2) / [float(mpmath.factorial(int(i))) for i in k],
        rtol=1e-13,
    )
    np.testing.assert_allclose(got[0], stats.poisson(3.2).pmf([0, 1, 2]).sum())
    np.testing.assert_allclose(got[-1], 1 - stats.poisson(3.2).pmf(np.arange(9)).sum())


def test_single_integer_support_holds_all_mass():
    np.testing.assert_array_equal(discretize(stats.norm(), [3]), [1.0])


def test_bad_input():
    with pytest.raises(TypeError, match="`dist` must be a frozen"):
        discretize(np.array([0.5, 0.5]), [0, 1])
    with pytest.raises(TypeError, match="`dist` must be a frozen"):
        discretize(stats.multivariate_normal([0, 0]), [0, 1])
    with pytest.raises(ValueError, match="`support` must be consecutive"):
        discretize(stats.norm(), [0, 2, 3])
    with pytest.raises(ValueError, match="`support` must hold integers"):
        discretize(stats.norm(), [0.5, 1.5])
    with pytest.raises(ValueError, match="`support` must be a non-empty 1-D"):
        discretize(stats.norm(), [])


def test_bad_distributions():
    """Array, invalid or off-lattice parameters are refused, not turned into a pmf.

    With two means and two cells, the cells of a vector of normals would
    broadcast into a "pmf" with a negative entry.
    """
    with pytest.raises(ValueError, match="`dist` must have scalar parameters"):
        discretize(stats.norm([0, 5], 1), [0, 1, 2])
    with pytest.raises(ValueError, match="`dist` must have scalar parameters"):
        discretize(stats.poisson([1, 30]), [0, 1])
    with pytest.raises(ValueError, match="`dist` has invalid parameters"):
        discretize(stats.norm(0, -1), [0, 1, 2])
    with pytest.raises(ValueError, match="`dist` has invalid parameters"):
        discretize(stats.norm(0, -1), [3])
    with pytest.raises(ValueError, match="`dist` has invalid parameters"):
        discretize(stats.poisson(-1), [0, 1])
    # Mass on 0.5, 1.5, ...: the integers' pmf and the tails miss most of it.
    with pytest.raises(ValueError, match="`dist` puts mass off the integers"):
        discretize(stats.poisson(2.5, loc=0.5), np.arange(0, 6))


def test_shifted_discrete_distribution_keeps_its_mass():
    """An integer loc is fine: Poisson(3) shifted by 2 puts nothing below 2."""
    got = discretize(stats.poisson(3, loc=2), np.arange(0, 12))
    np.testing.assert_array_equal(got[:2], [0.0, 0.0])
    np.testing.assert_allclose(
        got[2:-1], [3.0**k * math.exp(-3) / math.factorial(k) for k in range(9)]
    )
    np.testing.assert_allclose(got.sum(), 1.0, rtol=1e-14)


def test_single_integer_support_of_a_discrete_distribution_holds_all_mass():
    """One cell: a pmf puts all its mass there, whatever the pmf at that point."""
    np.testing.assert_array_equal(discretize(stats.poisson(3.2), [4]), [1.0])
    np.testing.assert_array_equal(discretize(stats.binom(5, 0.3), [0]), [1.0])
