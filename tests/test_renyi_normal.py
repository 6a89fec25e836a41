"""Tests for renyi_normal, the Rényi divergence between univariate normals."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from kltools import kl_normal, renyi_normal

# (mu_p, sigma_p, mu_q, sigma_q, alpha) -> D_alpha, by mpmath quadrature at
# 30 digits, not from the closed form:
#   from mpmath import mp, mpf, quad, npdf, log, inf; mp.dps = 30
#   f = lambda x: npdf(x, mp_, sp)**a * npdf(x, mq, sq)**(1 - a)
#   log(quad(f, [-inf, mp_ - 10*sp, mp_, mp_ + 10*sp, inf])) / (a - 1)
# with every argument passed through mpf() from its float value.
QUADRATURE = [
    ((0, 1, 1, 1, 0.5), 0.25),
    ((0, 1, 0, 2, 2), 0.41333928659223396628),
    ((0.3, 0.7, -0.4, 1.3, 3.5), 0.59773421859710471186),
    ((1, 2, 0, 1, 1.2), 3.0975796491254414744),
    ((0, 1, 1, 1, 0.1), 0.050000000000000002776),
    ((0, 2, 0, 1, 1.3), 3.1444946410967991496),
    ((0.5, 1.5, 0, 1, 0.99), 0.33788311404191549996),
]


@pytest.mark.parametrize(("args", "expected"), QUADRATURE)
def test_against_mpmath_quadrature(args, expected):
    assert_allclose(renyi_normal(*args), expected, rtol=1e-12)


def test_alpha_one_is_exactly_kl_normal():
    mu = np.array([0.0, 0.3, -2.0])
    assert_array_equal(renyi_normal(mu, 0.7, 1.0, 1.3, 1), kl_normal(mu, 0.7, 1.0, 1.3))


def test_alpha_near_one_tends_to_kl():
    """Orders 1 -+ 1e-7 agree with KL to about 1e-7 (a smooth limit)."""
    kl = kl_normal(0.3, 0.7, -0.4, 1.3)
    near = renyi_normal(0.3, 0.7, -0.4, 1.3, [1 - 1e-7, 1 + 1e-7])
    assert_allclose(near, kl, rtol=1e-6)
    assert near[0] <= kl <= near[1]


def test_alpha_zero_is_zero():
    """Normals share the whole line as support: -log Q(supp P) = 0."""
    assert_allclose(renyi_normal(3.0, 0.2, -1.0, 5.0, 0), 0.0, atol=1e-15)


def test_alpha_infinity_is_log_sup_ratio():
    """sigma_p < sigma_q: log sup p/q, checked by maximising on a fine grid."""
    x = np.linspace(-10, 10, 2_000_001)
    logratio = stats.norm.logpdf(x, 0.5, 0.8) - stats.norm.logpdf(x, -0.3, 1.1)
    assert_allclose(renyi_normal(0.5, 0.8, -0.3, 1.1, np.inf), logratio.max(), 1e-9)


@pytest.mark.parametrize(("mu_q", "sigma_q"), [(0.0, 1.0), (1.0, 2.0), (0.5, 2.0)])
def test_alpha_infinity_infinite_unless_p_narrower_or_equal(mu_q, sigma_q):
    """sigma_p > sigma_q or equal sigmas with shifted means: unbounded p/q."""
    if sigma_q == 2.0 and mu_q == 0.5:
        assert renyi_normal(0.5, 2.0, mu_q, sigma_q, np.inf) == 0.0  # equal
    else:
        assert renyi_normal(0.0, 2.0, mu_q, sigma_q, np.inf) == math.inf


def test_finite_only_below_the_critical_order():
    """sigma_p = 2, sigma_q = 1: finite iff alpha < 4 / (4 - 1) = 4/3."""
    values = renyi_normal(0.0, 2.0, 0.0, 1.0, [1.3, 1.33, 1.334, 2.0, 100.0])
    assert np.isfinite(values[:2]).all()
    assert (values[2:] == math.inf).all()


def test_narrow_p_finite_for_every_finite_order():
    values = renyi_normal(0.0, 1.0, 1.0, 2.0, [2.0, 10.0, 1e6])
    assert np.isfinite(values).all()


def test_non_decreasing_in_alpha():
    alpha = np.linspace(0, 1.3, 200)
    values = renyi_normal(0.5, 2.0, 0.0, 1.0, alpha)
    assert (np.diff(values) >= 0).all()


def test_equal_means_and_sigmas_give_zero():
    assert (renyi_normal(1.0, 2.0, 1.0, 2.0, [0, 0.5, 2, 50, np.inf]) == 0).all()


def test_base_two_and_broadcasting():
    out = renyi_normal([0.0, 1.0], 1.0, 0.0, [[1.0], [2.0]], 2, base=2)
    assert out.shape == (2, 2)
    assert_allclose(out[0, 1], 1.0 / math.log(2))  # alpha d^2 / 2 = 1 nat
    assert isinstance(renyi_normal(0, 1, 0, 1, 0.5), float)


def test_errors():
    with pytest.raises(ValueError, match=r"`alpha` must be in \[0, inf\]"):
        renyi_normal(0, 1, 0, 1, -1)
    with pytest.raises(ValueError, match=r"`alpha` must be in \[0, inf\]"):
        renyi_normal(0, 1, 0, 1, [0.5, np.nan])
    with pytest.raises(ValueError, match="`sigma_q` must be positive and finite"):
        renyi_normal(0, 1, 0, 0, 2)
    with pytest.raises(ValueError, match="`mu_p` contains NaN or infinite"):
        renyi_normal(np.inf, 1, 0, 1, 2)
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        renyi_normal([0, 1], 1, 0, 1, [1, 2, 3])
    with pytest.raises(ValueError, match="`alpha` must be an array of real numbers"):
        renyi_normal(0, 1, 0, 1, "2")
    with pytest.raises(ValueError, match="`base`"):
        renyi_normal(0, 1, 0, 1, 2, base=-1)
