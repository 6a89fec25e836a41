"""Tests for kl_from_log_probs (k1, k2, k3) and kl_from_logits."""

import math

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import softmax
from scipy.stats import norm

from kltools import kl_divergence, kl_from_log_probs, kl_from_logits


def kl_normal_closed(m1, s1, m2, s2):
    """Closed form KL(N(m1, s1^2) || N(m2, s2^2)) in nats."""
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


# --- kl_from_log_probs: formulas -----------------------------------------------


def test_each_estimator_is_the_mean_of_its_formula():
    lp = np.array([-1.0, -2.0, -0.5, -3.0])
    lq = np.array([-1.5, -1.0, -0.7, -2.0])
    ell = lq - lp
    r = np.exp(ell)
    for name, terms in {
        "k1": -ell,
        "k2": 0.5 * ell**2,
        "k3": (r - 1) - np.log(r),
    }.items():
        res = kl_from_log_probs(lp, lq, estimator=name)
        assert_allclose(res.value, terms.mean(), rtol=1e-14)
        assert_allclose(res.stderr, terms.std(ddof=1) / 2.0, rtol=1e-14)
        assert res.n == 4


def test_k3_keeps_full_precision_for_ratios_near_one():
    # (r - 1) - log r for log r = 1e-9, 3e-5, -2e-4 with mpmath at 40 digits:
    # mpmath.mp.dps = 40; [mpmath.expm1(l) - l for l in ells]
    mpmath.mp.dps = 40
    ells = ["1e-9", "3e-5", "-2e-4"]
    expected = [float(mpmath.expm1(mpmath.mpf(s)) - mpmath.mpf(s)) for s in ells]
    for s, want in zip(ells, expected, strict=True):
        lq = np.array([float(s), float(s)])
        res = kl_from_log_probs(np.zeros(2), lq, estimator="k3")
        # A direct (r - 1) - log(r) with r = exp(l) is off by ~1e-16 / l
        # relative (1.5e-7 at l = 1e-9), from the rounding of r.
        assert_allclose(res.value, want, rtol=1e-12)


def test_base_two_divides_by_log_two():
    lp, lq = np.array([-1.0, -2.0, -0.3]), np.array([-2.0, -1.0, -0.1])
    for k in ["k1", "k2", "k3"]:
        nats = kl_from_log_probs(lp, lq, estimator=k)
        bits = kl_from_log_probs(lp, lq, estimator=k, base=2)
        assert_allclose(bits.value, nats.value / math.log(2), rtol=1e-14)
        assert_allclose(bits.stderr, nats.stderr / math.log(2), rtol=1e-14)


def test_zero_q_at_a_sample_gives_inf_for_every_estimator():
    for k in ["k1", "k2", "k3"]:
        res = kl_from_log_probs([-1.0, -1.0], [-1.0, -np.inf], estimator=k)
        assert res.value == math.inf


# --- kl_from_log_probs: statistics over seeded repetitions -------------------


def test_k2_bias_follows_its_third_order_term():
    # The Notes: with r = 1 + delta and E_p[delta] = 0 (q << p), the delta^2
    # terms of E[k2] and KL cancel and E[k2] - KL = -E[delta^3] / 6 + O(delta^4).
    # For p = N(0, 1), q = N(0, s^2) with s = 1 + eps, delta is of order eps,
    # so the ratio of the exact bias to -E[delta^3] / 6 tends to 1 with an
    # error of order eps. Exact E[k2] and E[delta^3] by quadrature on
    # [-30, 30] (p is below 1e-195 beyond), KL in closed form.
    from scipy.integrate import quad

    errors = []
    for eps in [0.05, 0.025, 0.0125]:
        s = 1 + eps

        def ell(x, s=s):
            return norm.logpdf(x, 0, s) - norm.logpdf(x)

        def moment(f, ell=ell):
            return quad(lambda t: norm.pdf(t) * f(ell(t)), -30, 30, epsrel=1e-10)[0]

        bias = moment(lambda v: 0.5 * v * v) - kl_normal_closed(0, 1, 0, s)
        third = -moment(lambda v: np.expm1(v) ** 3) / 6
        assert moment(np.expm1) == pytest.approx(0, abs=1e-12)  # E_p[r] = 1
        errors.append(abs(bias / third - 1))
        # and a large sample's k2 estimate differs from KL by that bias
        xs = np.random.default_rng(8).standard_normal(400_000)
        res = kl_from_log_probs(norm.logpdf(xs), norm.logpdf(xs, 0, s), estimator="k2")
        assert abs(res.value - kl_normal_closed(0, 1, 0, s) - bias) < 4 * res.stderr
    # the relative error of the third-order term halves with eps
    assert errors[-1] < 0.15
    assert 1.6 < errors[0] / errors[1] < 2.4
    assert 1.6 < errors[1] / errors[2] < 2.4


@pytest.mark.parametrize("estimator", ["k1", "k3"])
def test_k1_and_k3_are_unbiased_for_a_normal_pair(estimator):
    # p = N(0, 1), q = N(0.7, 1.2^2): sigma ratio 1.2 < sqrt(2), so k3 has a
    # finite variance. 400 repetitions of n = 500; the tolerance is 4 standard
    # errors of the mean over repetitions, from the spread observed.
    exact = kl_normal_closed(0.0, 1.0, 0.7, 1.2)
    rng = np.random.default_rng(12)
    p, q = norm(0.0, 1.0), norm(0.7, 1.2)
    x = rng.standard_normal((400, 500))
    values = np.array(
        [
            kl_from_log_probs(p.logpdf(row), q.logpdf(row), estimator=estimator).value
            for row in x
        ]
    )
    tol = 4 * values.std(ddof=1) / math.sqrt(values.size)
    assert abs(values.mean() - exact) < tol
    # The test can fail: a bias of a tenth of the divergence would be caught.
    assert tol < 0.1 * exact


def test_k2_bias_is_mu4_over_8_for_a_mean_shift():
    # p = N(0, 1), q = N(mu, 1): log r = mu x - mu^2/2 ~ N(-mu^2/2, mu^2), so
    # E[k2] = (mu^2 + mu^4/4)/2 = KL + mu^4/8: equal to KL to second order.
    mu = 0.6
    x = np.random.default_rng(3).standard_normal(1_000_000)
    res = kl_from_log_probs(norm.logpdf(x), norm.logpdf(x, mu, 1.0), estimator="k2")
    kl = mu**2 / 2
    assert abs(res.value - (kl + mu**4 / 8)) < 4 * res.stderr
    assert res.value - kl > 10 * res.stderr  # the bias is real and measured


def test_k2_bias_is_third_order_for_a_scale_change():
    # p = N(0, 1), q = N(0, s^2): the bias of k2 vanishes faster than KL as
    # s -> 1. Exact E[k2] by quadrature, KL in closed form.
    from scipy.integrate import quad

    ratios = []
    for eps in [0.1, 0.05, 0.025]:
        s = 1 + eps

        def half_ell_sq_density(x, s=s):
            return norm.pdf(x) * 0.5 * (norm.logpdf(x, 0, s) - norm.logpdf(x)) ** 2

        ek2 = quad(half_ell_sq_density, -np.inf, np.inf)[0]
        kl = kl_normal_closed(0, 1, 0, s)
        ratios.append((ek2 - kl) / kl)
        # and the estimator's mean on a large sample agrees with the quadrature
        x = np.random.default_rng(5).standard_normal(200_000)
        res = kl_from_log_probs(norm.logpdf(x), norm.logpdf(x, 0, s), estimator="k2")
        assert abs(res.value - ek2) < 4 * res.stderr
    # relative bias shrinks about linearly in eps (a bias of order eps^3)
    assert 1.6 < ratios[0] / ratios[1] < 2.4
    assert 1.6 < ratios[1] / ratios[2] < 2.4


# --- kl_from_log_probs: errors -------------------------------------------------


def test_log_probs_errors_name_the_argument():
    with pytest.raises(
        ValueError, match="`log_p` and `log_q` must have the same length"
    ):
        kl_from_log_probs([0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="`log_p` must be one-dimensional"):
        kl_from_log_probs([[0.0, 1.0]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="at least 2 samples"):
        kl_from_log_probs([0.0], [0.0])
    with pytest.raises(ValueError, match="`log_p` contains NaN or infinite"):
        kl_from_log_probs([0.0, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match="`log_p` contains NaN or infinite"):
        kl_from_log_probs([0.0, -np.inf], [0.0, 0.0])
    with pytest.raises(ValueError, match="`log_q` contains NaN or \\+inf"):
        kl_from_log_probs([0.0, 0.0], [0.0, np.inf])
    with pytest.raises(ValueError, match="`estimator` must be"):
        kl_from_log_probs([0.0, 0.0], [0.0, 0.0], estimator="k4")
    with pytest.raises(ValueError, match="`base`"):
        kl_from_log_probs([0.0, 0.0], [0.0, 0.0], base=1)


# --- kl_from_logits --------------------------------------------------------------


def test_logits_agree_with_kl_divergence_of_the_softmaxes():
    rng = np.random.default_rng(0)
    zp, zq = rng.normal(0, 3, (50, 7)), rng.normal(0, 3, (50, 7))
    for t in [1.0, 0.5, 4.0]:
        want = kl_divergence(softmax(zp / t, axis=1), softmax(zq / t, axis=1))
        assert_allclose(kl_from_logits(zp, zq, temperature=t), want, rtol=1e-11)
    # the class axis first, and one q broadcast against a batch of p
    assert_allclose(
        kl_from_logits(zp.T, zq.T, axis=0),
        kl_divergence(softmax(zp, axis=1), softmax(zq, axis=1)),
        rtol=1e-11,
    )
    assert_allclose(
        kl_from_logits(zp, zq[0]),
        kl_divergence(softmax(zp, axis=1), softmax(zq[0])),
        rtol=1e-11,
    )


def _mp_kl_logits(zp, zq, t=1):
    """KL of the softmaxes of two logit lists with mpmath at 60 digits."""
    mpmath.mp.dps = 60
    zp = [mpmath.mpf(v) / t for v in zp]
    zq = [mpmath.mpf(v) / t for v in zq]
    a0 = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zp))
    b0 = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zq))
    return float(
        mpmath.fsum(
            mpmath.exp(a - a0) * ((a - a0) - (b - b0))
            for a, b in zip(zp, zq, strict=True)
        )
    )


@pytest.mark.parametrize(
    "zp, zq",
    [
        ([1000.0, -1000.0], [-1000.0, 1000.0]),
        ([1000.0, 999.0, -1000.0], [998.0, 1000.0, 0.0]),
        ([-1000.0, -1001.0, -1003.0], [-1000.5, -1000.0, -1000.0]),
        ([0.0, 20.0, 745.0], [745.0, 20.0, 0.0]),
    ],
)
def test_extreme_logits_against_mpmath(zp, zq):
    want = _mp_kl_logits(zp, zq)
    got = kl_from_logits(zp, zq)
    assert math.isfinite(got)
    assert_allclose(got, want, rtol=1e-13)
    # z / 3 rounds each logit by up to 1.1e-16 relative, 1e-13 absolute at 1000,
    # which moves the divergence by as much: hence the absolute tolerance.
    assert_allclose(
        kl_from_logits(zp, zq, temperature=3.0),
        _mp_kl_logits(zp, zq, 3),
        rtol=1e-13,
        atol=1e-12,
    )


def test_nearly_equal_logits_keep_relative_precision():
    # Logits differing by about 1e-7: KL is about 1e-15, which the plain sum of
    # p (a - b) gets wrong in its leading digit (cancellation of terms ~1e-8).
    zp = [0.3, -1.2, 2.0, 0.0]
    zq = [0.3 + 1e-7, -1.2 - 2e-7, 2.0, 0.0 + 3e-7]
    assert_allclose(kl_from_logits(zp, zq), _mp_kl_logits(zp, zq), rtol=1e-6)


def test_minus_inf_logits():
    # q gives no mass to a class p has: infinite
    assert kl_from_logits([0.0, 1.0], [0.0, -np.inf]) == math.inf
    # p gives no mass to a class: that class contributes 0
    got = kl_from_logits([0.0, 1.0, -np.inf], [0.5, 0.0, 0.0])
    p, q = softmax([0.0, 1.0]), softmax([0.5, 0.0, 0.0])
    assert_allclose(got, float(np.sum(p * np.log(p / q[:2]))), rtol=1e-14)
    # both -inf: the class is absent from both
    assert_allclose(
        kl_from_logits([0.0, 1.0, -np.inf], [0.5, 0.0, -np.inf]),
        kl_from_logits([0.0, 1.0], [0.5, 0.0]),
        rtol=1e-14,
    )


def test_logits_errors_name_the_argument():
    with pytest.raises(ValueError, match="`temperature` must be a positive"):
        kl_from_logits([0.0, 1.0], [1.0, 0.0], temperature=0.0)
    with pytest.raises(ValueError, match="`temperature` must be a positive"):
        kl_from_logits([0.0, 1.0], [1.0, 0.0], temperature=-1.0)
    with pytest.raises(TypeError, match="`temperature` must be a real number"):
        kl_from_logits([0.0, 1.0], [1.0, 0.0], temperature="2")
    with pytest.raises(ValueError, match="`logits_p` contains NaN"):
        kl_from_logits([0.0, np.nan], [1.0, 0.0])
    with pytest.raises(ValueError, match="`logits_q` contains NaN or \\+inf"):
        kl_from_logits([0.0, 1.0], [np.inf, 0.0])
    with pytest.raises(
        ValueError, match="`logits_q` has a distribution whose logits are all -inf"
    ):
        kl_from_logits([0.0, 1.0], [-np.inf, -np.inf])
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        kl_from_logits([0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="`logits_p` must have at least one"):
        kl_from_logits(1.0, [0.0, 1.0])
