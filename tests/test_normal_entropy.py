"""Tests for the normal entropy and cross-entropy closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from kltools import cross_entropy_normal, entropy_normal, kl_normal

# --- known values -----------------------------------------------------------

# References by numerical integration with mpmath at 30 digits, independent
# of the closed forms:
#   from mpmath import mp, mpf, quad, log, exp, pi, inf; mp.dps = 30
#   def logpdf(x, m, s): return -log(s) - log(2*pi)/2 - (x-m)**2/(2*s**2)
#   -quad(lambda x: exp(logpdf(x, 0, s)) * logpdf(x, 0, s), [-inf, 0, inf])
# for the entropy with s = mpf(1), mpf(2), mpf('0.1'), mpf('1e-3'), and
#   -quad(lambda x: exp(logpdf(x, mp_, sp)) * logpdf(x, mq, sq), [-inf, mp_, inf])
# for the cross-entropy of N(mp_, sp^2) relative to N(mq, sq^2).
ENTROPY_REFS = [
    (1.0, 1.41893853320467274178032973641),
    (2.0, 2.11208571376461805119756185786),
    (0.1, -0.883646559789372942237661718279),
    (1e-3, -5.48881674577746431027364462765),
]
CROSS_ENTROPY_REFS = [
    ((0.0, 2.0, 5.0, 4.0), 3.21148289432456336061479397932),
    ((5.0, 4.0, 0.0, 2.0), 6.73708571376461805119756185786),
    ((1.0, 0.5, -1.0, 3.0), 2.25366193298389354428668608444),
    ((0.0, 1.0, 0.0, 1.0), 1.41893853320467274178032973641),
]


@pytest.mark.parametrize(("sigma", "expected"), ENTROPY_REFS)
def test_entropy_normal_matches_mpmath_quadrature(sigma, expected):
    """h(N(0, sigma^2)) equals -int p log p computed by mpmath quadrature."""
    assert_allclose(entropy_normal(sigma), expected, rtol=1e-14)


def test_entropy_normal_large_sigma_matches_mpmath_formula():
    """h(N(0, (1e5)^2)) = log(2 pi e 1e10)/2 at 30 digits.

    mpmath: mp.dps = 30; log(2*pi*e*mpf(10)**10)/2
    """
    assert_allclose(entropy_normal(1e5), 12.9318639981749011618702870098, rtol=1e-15)


@pytest.mark.parametrize(("args", "expected"), CROSS_ENTROPY_REFS)
def test_cross_entropy_normal_matches_mpmath_quadrature(args, expected):
    """H(P, Q) equals -int p log q computed by mpmath quadrature."""
    assert_allclose(cross_entropy_normal(*args), expected, rtol=1e-14)


def test_cross_entropy_normal_far_apart_matches_mpmath_formula():
    """A very large finite value: P = N(1000, 1), Q = N(0, 0.01^2).

    mpmath: mp.dps = 30; a = [mpf(1000), 1, 0, mpf(1)/100]
    log(2*pi*a[3]**2)/2 + (a[1]**2 + (a[0]-a[2])**2)/(2*a[3]**2)
    """
    assert_allclose(
        cross_entropy_normal(1000.0, 1.0, 0.0, 0.01),
        5000004996.31376834721658137374,
        rtol=1e-14,
    )


def test_entropy_normal_matches_scipy_norm_entropy():
    """Agrees with scipy.stats.norm(0, sigma).entropy(), an independent code path."""
    sigma = np.array([1e-6, 0.3, 1.0, 7.5, 1e6])
    assert_allclose(entropy_normal(sigma), stats.norm(0, sigma).entropy(), rtol=1e-14)


def test_cross_entropy_normal_matches_monte_carlo():
    """-E_P[log q(X)] by 10^6 seeded samples agrees within 4 standard errors."""
    rng = np.random.default_rng(20240611)
    x = stats.norm(1.0, 0.5).rvs(size=10**6, random_state=rng)
    terms = -stats.norm(-1.0, 3.0).logpdf(x)
    stderr = terms.std(ddof=1) / math.sqrt(x.size)
    assert abs(cross_entropy_normal(1.0, 0.5, -1.0, 3.0) - terms.mean()) < 4 * stderr


# --- the identity H(P, Q) = h(P) + KL(P || Q) -------------------------------


def test_identity_against_kl_normal_on_a_grid_of_parameters():
    """H(P, Q) = h(P) + KL(P || Q) with kl_normal, over many parameter pairs."""
    mu = np.linspace(-5, 5, 11)
    sig = np.geomspace(0.05, 20, 9)
    mp, sp, mq, sq = np.meshgrid(mu, sig, mu[::2], sig[::3], indexing="ij")
    lhs = cross_entropy_normal(mp, sp, mq, sq)
    rhs = entropy_normal(sp) + kl_normal(mp, sp, mq, sq)
    # Both sides are sums of terms of size up to |lhs| + |h(P)|; a few ulps each.
    scale = np.abs(lhs) + np.abs(entropy_normal(sp))
    assert np.all(np.abs(lhs - rhs) <= 8 * np.finfo(float).eps * scale)


def test_identity_on_the_chapter_pair():
    """N(0, 2^2) against N(5, 4^2): 2.112086 + 1.099397 = 3.211483 nats."""
    assert_allclose(
        cross_entropy_normal(0, 2, 5, 4),
        entropy_normal(2) + kl_normal(0, 2, 5, 4),
        rtol=1e-15,
    )


# --- properties --------------------------------------------------------------

means = st.floats(-1e3, 1e3)
sigmas = st.floats(1e-3, 1e3)


@settings(max_examples=200, deadline=None)
@given(mp=means, sp=sigmas, mq=means, sq=sigmas)
def test_cross_entropy_is_at_least_entropy(mp, sp, mq, sq):
    """Gibbs: H(P, Q) >= h(P) (up to rounding of the two sums)."""
    h = entropy_normal(sp)
    tol = 4 * np.finfo(float).eps * (abs(h) + abs(cross_entropy_normal(mp, sp, mq, sq)))
    assert cross_entropy_normal(mp, sp, mq, sq) >= h - tol


@settings(max_examples=200, deadline=None)
@given(m=means, s=sigmas)
def test_cross_entropy_with_itself_is_entropy(m, s):
    """H(P, P) = h(P)."""
    assert_allclose(cross_entropy_normal(m, s, m, s), entropy_normal(s), atol=1e-13)


@settings(max_examples=200, deadline=None)
@given(mp=means, sp=sigmas, mq=means, sq=sigmas, shift=st.floats(-1e3, 1e3))
def test_cross_entropy_invariant_under_common_shift(mp, sp, mq, sq, shift):
    """Shifting both means by the same amount leaves H(P, Q) unchanged."""
    a = cross_entropy_normal(mp, sp, mq, sq)
    b = cross_entropy_normal(mp + shift, sp, mq + shift, sq)
    # Rounding mp + shift and mq + shift moves d = (mp - mq)/sq by up to
    # eps * (|mp| + |mq| + 2|shift|) / sq, so d**2/2 moves by |d| times that.
    eps = np.finfo(float).eps
    d = abs(mp - mq) / sq
    atol = 4 * eps * (abs(a) + d * (abs(mp) + abs(mq) + 2 * abs(shift)) / sq + 1)
    assert abs(a - b) <= atol


@settings(max_examples=200, deadline=None)
@given(s=sigmas, c=st.floats(1e-3, 1e3))
def test_entropy_scaling_adds_log_c(s, c):
    """Scaling X by c > 0 adds log c to the differential entropy."""
    assert_allclose(entropy_normal(c * s), entropy_normal(s) + math.log(c), atol=1e-13)


@settings(max_examples=200, deadline=None)
@given(mp=means, sp=sigmas, mq=means, sq=sigmas, c=st.floats(1e-2, 1e2))
def test_cross_entropy_scaling_adds_log_c(mp, sp, mq, sq, c):
    """Scaling both distributions by c > 0 adds log c to H(P, Q)."""
    a = cross_entropy_normal(mp, sp, mq, sq)
    b = cross_entropy_normal(c * mp, c * sp, c * mq, c * sq)
    assert_allclose(b, a + math.log(c), rtol=1e-12, atol=1e-12)


# --- units, shapes, return types --------------------------------------------


def test_bits_are_nats_divided_by_log_2():
    """base=2 gives the value in nats divided by log(2)."""
    assert_allclose(
        entropy_normal(3.0, base=2), entropy_normal(3.0) / math.log(2), 1e-15
    )
    assert_allclose(
        cross_entropy_normal(0, 1, 2, 3, base=2),
        cross_entropy_normal(0, 1, 2, 3) / math.log(2),
        rtol=1e-15,
    )


def test_standard_normal_entropy_in_bits():
    """h(N(0, 1)) = log2(2 pi e)/2 bits."""
    assert_allclose(
        entropy_normal(1, base=2), 0.5 * math.log2(2 * math.pi * math.e), 1e-15
    )


def test_scalars_give_python_floats_and_arrays_broadcast():
    """Scalar inputs give float; arrays broadcast to their common shape."""
    assert type(entropy_normal(2)) is float
    assert type(cross_entropy_normal(0, 1, 1, 2)) is float
    out = cross_entropy_normal(np.zeros((3, 1)), 1.0, np.arange(4.0), 2.0)
    assert out.shape == (3, 4)
    assert entropy_normal([[1.0, 2.0]]).shape == (1, 2)


def test_overflowing_cross_entropy_is_inf_without_warning():
    """A value above the largest float is inf, with no warning (filterwarnings=error)."""
    assert cross_entropy_normal(1e300, 1.0, -1e300, 1e-10) == math.inf
    assert cross_entropy_normal(0.0, 1e300, 0.0, 1e-300) == math.inf


# --- errors ------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf, [1.0, 0.0]])
def test_entropy_rejects_non_positive_or_non_finite_sigma(bad):
    """sigma must be positive and finite."""
    with pytest.raises(ValueError, match="`sigma` must be positive and finite"):
        entropy_normal(bad)


@pytest.mark.parametrize("name", ["sigma_p", "sigma_q"])
@pytest.mark.parametrize("bad", [0.0, -2.0, np.nan, np.inf])
def test_cross_entropy_rejects_bad_sigma(name, bad):
    """Both standard deviations must be positive and finite; the message names one."""
    kw = {"mu_p": 0.0, "sigma_p": 1.0, "mu_q": 0.0, "sigma_q": 1.0, name: bad}
    with pytest.raises(ValueError, match=f"`{name}` must be positive and finite"):
        cross_entropy_normal(**kw)


@pytest.mark.parametrize("name", ["mu_p", "mu_q"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_cross_entropy_rejects_non_finite_mean(name, bad):
    """Means must be finite; the message names the argument."""
    kw = {"mu_p": 0.0, "sigma_p": 1.0, "mu_q": 0.0, "sigma_q": 1.0, name: bad}
    with pytest.raises(ValueError, match=f"`{name}` contains NaN or infinite"):
        cross_entropy_normal(**kw)


def test_cross_entropy_rejects_shapes_that_do_not_broadcast():
    """Incompatible shapes are an error naming the arguments."""
    with pytest.raises(ValueError, match="shapes do not broadcast: `mu_p` \\(2,\\)"):
        cross_entropy_normal([0.0, 1.0], 1.0, [0.0, 1.0, 2.0], 1.0)


def test_non_numeric_input_is_rejected():
    """A string is not a standard deviation."""
    with pytest.raises(ValueError, match="`sigma` must be an array of real numbers"):
        entropy_normal("1")


@pytest.mark.parametrize("base", [1, 0, -2, np.nan, "2"])
def test_bad_base_is_rejected(base):
    """`base` must be None or a number greater than 1."""
    with pytest.raises(
        ValueError, match="`base` must be None or a number greater than 1"
    ):
        entropy_normal(1.0, base=base)
    with pytest.raises(
        ValueError, match="`base` must be None or a number greater than 1"
    ):
        cross_entropy_normal(0, 1, 0, 1, base=base)
