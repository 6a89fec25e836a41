"""Tests for kl_between and register_kl."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from kltools import (
    _pairs,
    _registry,
    kl_between,
    kl_divergence,
    kl_mvnormal,
    kl_normal,
    register_kl,
)
from kltools import _scipy_adapter as sa

# --- reference values -------------------------------------------------------
#
# Closed forms: the published formulas evaluated with mpmath 1.4.1 at 50
# digits from the float arguments exactly, printed with mp.nstr(value, 17):
#
#   import mpmath as mp; mp.mp.dps = 50; M = mp.mpf
#   def norm(m1, s1, m2, s2):
#       m1, s1, m2, s2 = map(M, (m1, s1, m2, s2))
#       return mp.log(s2 / s1) + (s1**2 + (m1 - m2)**2) / (2 * s2**2) - M(1) / 2
#   def expon(l1, s1, l2, s2):  # rates r = 1/scale; loc_1 >= loc_2
#       l1, s1, l2, s2 = map(M, (l1, s1, l2, s2)); r1, r2 = 1 / s1, 1 / s2
#       return mp.log(r1 / r2) + r2 / r1 - 1 + r2 * (l1 - l2)
#   def gamma(a1, s1, a2, s2):  # shape-rate form of Penny (2001), b = 1/scale
#       a1, s1, a2, s2 = map(M, (a1, s1, a2, s2)); b1, b2 = 1 / s1, 1 / s2
#       return ((a1 - a2) * mp.digamma(a1) - mp.loggamma(a1) + mp.loggamma(a2)
#               + a2 * (mp.log(b1) - mp.log(b2)) + a1 * (b2 - b1) / b1)
#   def beta(a1, b1, a2, b2):
#       a1, b1, a2, b2 = map(M, (a1, b1, a2, b2))
#       lB = lambda a, b: mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)
#       return (lB(a2, b2) - lB(a1, b1) + (a1 - a2) * mp.digamma(a1)
#               + (b1 - b2) * mp.digamma(b1)
#               + (a2 - a1 + b2 - b1) * mp.digamma(a1 + b1))
#   def uniform(w1, w2):  # widths, interval 1 inside interval 2
#       return mp.log(M(w2) / M(w1))
#   def laplace(m1, b1, m2, b2):
#       m1, b1, m2, b2 = map(M, (m1, b1, m2, b2)); d = abs(m1 - m2)
#       return mp.log(b2 / b1) + d / b2 + (b1 / b2) * mp.exp(-d / b1) - 1
#   def lognorm(s1, sc1, s2, sc2):
#       return norm(mp.log(M(sc1)), s1, mp.log(M(sc2)), s2)
#   def poisson(m1, m2):
#       m1, m2 = M(m1), M(m2); return m1 * mp.log(m1 / m2) + m2 - m1
#   def bern(p, q):
#       p, q = M(p), M(q)
#       t1 = 0 if p == 0 else p * mp.log(p / q)
#       t2 = 0 if p == 1 else (1 - p) * mp.log((1 - p) / (1 - q))
#       return t1 + t2
#   def binom(n, p, q): return n * bern(p, q)
#   def geom(p, q):  # the definition summed: pmf p (1 - p)^(k - 1), k >= 1
#       p, q = M(p), M(q)
#       f = lambda k: p * (1 - p)**(k - 1) * (mp.log(p / q)
#                                            + (k - 1) * mp.log((1 - p) / (1 - q)))
#       return mp.nsum(f, [1, mp.inf])
#   def dirichlet(a, b):
#       a, b = [M(x) for x in a], [M(x) for x in b]; a0, b0 = sum(a), sum(b)
#       return (mp.loggamma(a0) - sum(mp.loggamma(x) for x in a) - mp.loggamma(b0)
#               + sum(mp.loggamma(x) for x in b)
#               + sum((x - y) * (mp.digamma(x) - mp.digamma(a0))
#                     for x, y in zip(a, b)))
#
# Pairs without a closed form: the definition integrated or summed with mpmath
# at 30 digits (mp.mp.dps = 30):
#
#   def kl_quad(logp, logq, edges):
#       return mp.quad(lambda x: mp.exp(logp(x)) * (logp(x) - logq(x)), edges)
#   def kl_sum(logp, logq, k0):
#       return mp.nsum(lambda k: mp.exp(logp(k)) * (logp(k) - logq(k)), [k0, mp.inf])
#   lt = lambda nu: (lambda x: mp.loggamma((M(nu) + 1) / 2) - mp.loggamma(M(nu) / 2)
#       - mp.log(mp.sqrt(nu * mp.pi)) - (M(nu) + 1) / 2 * mp.log(1 + x**2 / nu))
#   lnorm = lambda m, s: (lambda x: -((x - m) / s)**2 / 2
#       - mp.log(s * mp.sqrt(2 * mp.pi)))
#   llognorm = lambda s, loc, sc: (lambda x: lnorm(mp.log(M(sc)), M(s))(mp.log(x - loc))
#       - mp.log(x - loc))
#   def lbeta(a, b, loc, scale):
#       a, b, loc, scale = M(a), M(b), M(loc), M(scale)
#       return lambda x: ((a - 1) * mp.log((x - loc) / scale)
#           + (b - 1) * mp.log(1 - (x - loc) / scale) - mp.log(scale)
#           - (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)))
#   lpois = lambda mu, loc: (lambda k: (k - loc) * mp.log(M(mu)) - mu
#       - mp.loggamma(k - loc + 1))
#   lbinom = lambda n, p: (lambda k: mp.log(mp.binomial(n, k)) + k * mp.log(M(p))
#       + (n - k) * mp.log(1 - M(p)))
#   lnbinom = lambda n, p: (lambda k: mp.loggamma(k + n) - mp.loggamma(n)
#       - mp.loggamma(k + 1) + n * mp.log(M(p)) + k * mp.log(1 - M(p)))
#   lcauchy = lambda m, g: (lambda x: -mp.log(mp.pi * g * (1 + ((x - m) / g)**2)))
#   llaplace = lambda m, b: (lambda x: -abs(x - m) / b - mp.log(2 * M(b)))

S = stats

# (p, q, reference). Each builtin registered pair appears at least once.
CLOSED_CASES = [
    # norm(0.3, 1.2, -1.0, 2.5)
    (S.norm(0.3, 1.2), S.norm(-1.0, 2.5), 0.48436917508020047),
    # norm(0.0, 1.0, 0.0, 0.01)
    (S.norm(0, 1), S.norm(0, 0.01), 4994.8948298140117),
    # expon(0.0, 2.0, 0.0, 0.5)
    (S.expon(scale=2), S.expon(scale=0.5), 1.6137056388801094),
    # expon(1.0, 2.0, -0.5, 3.0): different locs
    (S.expon(1, 2), S.expon(-0.5, 3), 0.57213177477483105),
    # gamma(2.5, 1.5, 0.7, 3.0)
    (S.gamma(2.5, scale=1.5), S.gamma(0.7, scale=3), 0.47706935561214686),
    # gamma(0.5, 1.5, 2.0, 0.3): density of p unbounded at 0
    (S.gamma(0.5, scale=1.5), S.gamma(2, scale=0.3), 1.1540242712392344),
    # gamma(3.0, 2.0, 2.0, 1.0) with both loc = 1
    (S.gamma(3, loc=1, scale=2), S.gamma(2, loc=1, scale=1), 1.8433427934186312),
    # gamma(2.0, 3.0, 3.0, 2.0)
    (S.gamma(2, scale=3), S.gamma(3, scale=2), 0.053967521136985024),
    # gamma(1.0, 2.0, 2.5, 1.2): expon is gamma with a = 1
    (S.expon(scale=2), S.gamma(2.5, scale=1.2), 0.54010897507690838),
    # gamma(2.5, 1.2, 1.0, 2.0)
    (S.gamma(2.5, scale=1.2), S.expon(scale=2), 0.28087771426093629),
    # beta(2.0, 3.0, 0.5, 1.5)
    (S.beta(2, 3), S.beta(0.5, 1.5), 0.43648935507745517),
    # beta(0.5, 0.7, 2.0, 2.0)
    (S.beta(0.5, 0.7), S.beta(2, 2), 1.0116181996935855),
    # beta(2.0, 3.0, 3.0, 3.0) on [1, 3]: loc and scale shared
    (S.beta(2, 3, loc=1, scale=2), S.beta(3, 3, loc=1, scale=2), 0.16704260145917827),
    # uniform(0.5, 1.0): [0.2, 0.7] inside [0, 1]
    (S.uniform(0.2, 0.5), S.uniform(0, 1), 0.69314718055994531),
    # uniform(2.0, 8.0): [-1, 1] inside [-4, 4]
    (S.uniform(-1, 2), S.uniform(-4, 8), 1.3862943611198906),
    # laplace(0.5, 1.2, -1.0, 0.7)
    (S.laplace(0.5, 1.2), S.laplace(-1, 0.7), 1.0950117224562104),
    # laplace(0.0, 1.0, 0.0, 2.0)
    (S.laplace(0, 1), S.laplace(0, 2), 0.19314718055994531),
    # laplace(2.0, 0.3, 2.5, 1.0)
    (S.laplace(2, 0.3), S.laplace(2.5, 1), 0.76063548517720458),
    # lognorm(0.8, 2.0, 1.5, 0.5)
    (S.lognorm(0.8, scale=2), S.lognorm(1.5, scale=0.5), 0.69790022734966425),
    # lognorm(0.5, 2.0, 0.7, 3.0) with both loc = 1
    (S.lognorm(0.5, 1, 2), S.lognorm(0.7, 1, 3), 0.25933137324689193),
    # poisson(4.5, 2.0)
    (S.poisson(4.5), S.poisson(2), 1.1491859729734794),
    # poisson(300.0, 280.0)
    (S.poisson(300), S.poisson(280), 0.69786144608543544),
    # poisson(4.5, 2.0) with both loc = 2
    (S.poisson(4.5, loc=2), S.poisson(2, loc=2), 1.1491859729734794),
    # poisson(4.0, 5.0)
    (S.poisson(4), S.poisson(5), 0.10742579474316098),
    # bern(0.3, 0.8)
    (S.bernoulli(0.3), S.bernoulli(0.8), 0.58268530204323989),
    # bern(0.0, 0.5): a point mass at 0 against a fair coin
    (S.bernoulli(0), S.bernoulli(0.5), 0.69314718055994531),
    # binom(12, 0.3, 0.45)
    (S.binom(12, 0.3), S.binom(12, 0.45), 0.56608688807246818),
    # binom(1, 0.3, 0.45): bernoulli against binom with n = 1
    (S.bernoulli(0.3), S.binom(1, 0.45), 0.047173907339372349),
    # geom(0.3, 0.1)
    (S.geom(0.3), S.geom(0.1), 0.5122119560126621),
    # geom(0.01, 0.02)
    (S.geom(0.01), S.geom(0.02), 0.31193759437783741),
    # geom(1, 0.5) = log(2): p is a point mass at 1 (analytic limit)
    (S.geom(1.0), S.geom(0.5), math.log(2)),
    # poisson(0, 2) = 2: p is a point mass at 0 (analytic limit)
    (S.poisson(0), S.poisson(2), 2.0),
]

MULTI_CASES = [
    # dirichlet([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    (S.dirichlet([1, 2, 3]), S.dirichlet([2, 2, 2]), 0.80685281944005469),
    # dirichlet([10.0, 0.3, 1.5, 4.0], [1.0, 1.0, 1.0, 1.0])
    (S.dirichlet([10, 0.3, 1.5, 4]), S.dirichlet([1, 1, 1, 1]), 4.3053781073258886),
    # norm(0.0, 2.0, 1.0, 3.0) (a 1 x 1 multivariate normal)
    (
        S.multivariate_normal([0], [[4]]),
        S.multivariate_normal([1], [[9]]),
        0.18324288588594216,
    ),
]

NUMERIC_CASES = [
    # kl_quad(lt(5), lnorm(0, 1), [-mp.inf, 0, mp.inf])
    (S.t(5), S.norm(), 0.12476919412361009),
    # kl_quad(llognorm(0.5, 1, 2), llognorm(0.5, 0, 2), [1, 2, 3, 5, mp.inf])
    (S.lognorm(0.5, loc=1, scale=2), S.lognorm(0.5, scale=2), 0.52663453139511019),
    # kl_quad(lbeta(2, 3, 0.2, 0.5), lbeta(2, 2, 0, 1), [0.2, 0.45, 0.7])
    (S.beta(2, 3, loc=0.2, scale=0.5), S.beta(2, 2), 0.61027592047203473),
    # kl_sum(lpois(3, 1), lpois(3, 0), 1)
    (S.poisson(3, loc=1), S.poisson(3), 0.18243084825483434),
    # sum(mp.exp(lbinom(5, 0.3)(k)) * (lbinom(5, 0.3)(k) - lbinom(8, 0.3)(k))
    #     for k in range(6))
    (S.binom(5, 0.3), S.binom(8, 0.3), 0.27038860987529492),
    # kl_sum(lnbinom(5, 0.5), lpois(5, 0), 0)
    (S.nbinom(5, 0.5), S.poisson(5), 0.14552098461320804),
    # kl_quad(lcauchy(0, 1), lt(1.5), [-mp.inf, -1, 0, 1, mp.inf])
    (S.cauchy(), S.t(1.5), 0.037900263978935014),
    # kl_quad(lcauchy(0, 1), lcauchy(1, 2), [-mp.inf, -1, 0, 1, mp.inf])
    # (= log(10/8), the closed form of Chyzak and Nielsen 2019)
    (S.cauchy(), S.cauchy(1, 2), 0.22314355131420976),
    # kl_quad(lnorm(0, 1e-6), llaplace(0, 1e-6), [-mp.inf, 0, mp.inf])
    (S.norm(0, 1e-6), S.laplace(0, 1e-6), 0.072093208158137924),
]


def _id(case):
    p, q = case[0], case[1]
    return f"{sa.name(p)}-{sa.name(q)}"


@pytest.mark.parametrize("case", CLOSED_CASES + MULTI_CASES, ids=_id)
def test_closed_form_matches_mpmath(case):
    """Closed forms agree with the published formulas to 1e-12 relative."""
    p, q, expected = case
    got = kl_between(p, q, method="closed")
    assert type(got) is float
    assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", CLOSED_CASES, ids=_id)
def test_numeric_fallback_matches_closed_form(case):
    """Quadrature or summation agrees with the closed form to 1e-7 relative."""
    p, q, expected = case
    closed = kl_between(p, q, method="closed")
    numeric = kl_between(p, q, method="numeric")
    assert_allclose(numeric, closed, rtol=1e-7, atol=0)
    assert_allclose(numeric, expected, rtol=1e-7, atol=0)


@pytest.mark.parametrize("case", NUMERIC_CASES, ids=_id)
def test_numeric_fallback_matches_mpmath(case):
    """Pairs without a closed form match mpmath integrals/sums to 1e-7."""
    p, q, expected = case
    assert_allclose(kl_between(p, q), expected, rtol=1e-7, atol=0)


@pytest.mark.parametrize("case", NUMERIC_CASES, ids=_id)
def test_method_closed_refuses_pairs_without_closed_form(case):
    """method='closed' raises where only numerics apply."""
    p, q, _ = case
    if _registry._lookup(sa.family(p), sa.family(q)) is not None:
        pytest.skip("this pair gained a closed form (tested in test_pairs.py)")
    with pytest.raises(NotImplementedError, match="no closed form applies"):
        kl_between(p, q, method="closed")


def test_every_builtin_pair_has_a_reference_case():
    """Each built-in registered pair is pinned by a case above."""
    covered = {(sa.family(p), sa.family(q)) for p, q, _ in CLOSED_CASES + MULTI_CASES}
    from test_pairs import PAIR_CASES

    covered |= {(sa.family(p), sa.family(q)) for p, q, _ in PAIR_CASES}
    assert set(_pairs.BUILTIN_PAIRS) <= covered
    # and the list of families is registered
    names = {
        "norm",
        "multivariate_normal",
        "expon",
        "gamma",
        "beta",
        "uniform",
        "laplace",
        "lognorm",
        "poisson",
        "bernoulli",
        "binom",
        "geom",
        "dirichlet",
    }
    registered = {t.__name__.removesuffix("_gen") for t, u in _pairs.BUILTIN_PAIRS}
    assert names <= registered


def test_binom_with_zero_trials_is_zero():
    """binom(0, p) is a point mass at 0 whatever p, so KL between two is 0.

    Also where the Bernoulli divergence of the success probabilities is
    infinite (p_q = 1); n = 3 beside it is 3 KL(Bern(0.3) || Bern(0.6)).
    Kills a wrong value (1 for 0) in the n = 0 branch.
    """
    got = kl_between(
        S.binom([0, 0, 3], [0.3, 0.3, 0.3]), S.binom([0, 0, 3], [0.6, 1.0, 0.6])
    )
    bern = 0.3 * math.log(0.3 / 0.6) + 0.7 * math.log(0.7 / 0.4)
    assert_allclose(got, [0.0, 0.0, 3 * bern], rtol=1e-14, atol=0)


def test_numeric_node_rounded_onto_p_endpoint_in_q_zero():
    """KL(Exp(1) || Gamma(2, 1)), both shifted to loc = 1, is Euler's gamma.

    log p - log q = -log(x - 1), so the divergence is -E log Exp(1) = gamma
    (0.5772156649015329). Nodes 1 + t with t below 1e-16 round onto x = 1,
    p's endpoint, where q's density is 0; they carry no mass and must be
    skipped (``x > p_lo``, not ``>=``, which reports q underflowing).
    """
    got = kl_between(S.expon(loc=1), S.gamma(2, loc=1), method="numeric")
    assert_allclose(got, np.euler_gamma, rtol=1e-10)


def test_numeric_node_rounded_onto_p_upper_endpoint_in_q_zero():
    """KL(U(0, 1) || Beta(1, 2)) = -log 2 - E log(1 - U) = 1 - log 2.

    Nodes 1 - t with t below 1e-16 round onto x = 1, U's upper endpoint,
    where Beta(1, 2)'s density 2 (1 - x) is 0: skipped by ``x < p_hi``; a
    ``<=`` there reports q underflowing instead of the value.
    """
    got = kl_between(S.uniform(), S.beta(1, 2), method="numeric")
    assert_allclose(got, 1 - math.log(2), rtol=1e-10)


def test_numeric_q_median_deep_in_p_tail():
    """KL(N(0, 1) || N(+-25, 1)) = 25**2 / 2 = 312.5, by quadrature.

    q's median sits where p's tail probability is about 3e-138, so method A
    has nodes with t below 1e-100 in the piece next to it; only nodes where
    q's log-density is -inf may mark the integral as deeply infinite
    (``g == inf``, not ``!=``).
    """
    for m in (25.0, -25.0):
        got = kl_between(S.norm(), S.norm(m), method="numeric")
        assert_allclose(got, m * m / 2, rtol=1e-12)


def test_summation_refuses_a_power_law_tail_early():
    """zipf(1.5) has sf(k) ~ k^-0.5 / (0.5 zeta(1.5)): its mass beyond 2**22
    points is still about 1e-4, so summation to 1e-18 is hopeless.

    The exponent fitted from two block ends must be 0.5 and predict this
    after the first 2**16 or so points, well before the 2**22-point limit
    (an exponent 0 / alpha in the prediction only gives up at the limit).
    """
    with pytest.raises(NotImplementedError, match=r"decaying as x\^-0\.5\b"):
        kl_between(S.zipf(1.5), S.zipf(1.6), method="numeric")


def test_numeric_power_law_tail_beyond_normal_overflow():
    """KL(t(2.05) || N(0, 1)): q's log-density overflows beyond |x| ~ 1e154.

    There the integrand still decays only as |x|^-1.05, and the power-law
    tail beyond the last node (exponent gamma = 0.05) matters at 1e-8. The
    reference is -h(t_nu) + log(2 pi) / 2 + nu / (2 (nu - 2)) with the
    entropy of Student's t, in mpmath 1.4.1 (mp.dps = 30)::

        n = mp.mpf(2.05)
        h = (n + 1) / 2 * (mp.digamma((n + 1) / 2) - mp.digamma(n / 2)) \
            + mp.log(mp.sqrt(n) * mp.beta(n / 2, mp.mpf(1) / 2))
        -h + mp.log(2 * mp.pi) / 2 + n / (2 * (n - 2))  # 19.472437818886255603

    Kills a wrong sign in the tail exponent's estimate.
    """
    got = kl_between(S.t(2.05), S.norm(), method="numeric")
    assert_allclose(got, 19.472437818886255603, rtol=1e-9)


def test_dirichlet_two_components_is_beta():
    """Dir(a, b) vs Dir(c, d) equals Beta(a, b) vs Beta(c, d) (numerically too)."""
    got = kl_between(S.dirichlet([0.5, 0.7]), S.dirichlet([2, 2]))
    beta_numeric = kl_between(S.beta(0.5, 0.7), S.beta(2, 2), method="numeric")
    assert_allclose(got, beta_numeric, rtol=1e-7)


def test_multivariate_normal_matches_kl_mvnormal():
    """kl_between on frozen multivariate normals equals kl_mvnormal."""
    m_p, c_p = [0.5, -1.0], [[2.0, 0.3], [0.3, 1.0]]
    m_q, c_q = [0.0, 0.5], [[1.0, -0.2], [-0.2, 3.0]]
    got = kl_between(S.multivariate_normal(m_p, c_p), S.multivariate_normal(m_q, c_q))
    assert got == kl_mvnormal(m_p, c_p, m_q, c_q)


def test_bits():
    """base=2 divides nats by log(2), on both routes."""
    p, q = S.gamma(2, scale=3), S.gamma(3, scale=2)
    for method in ("closed", "numeric"):
        got = kl_between(p, q, base=2, method=method)
        assert_allclose(got, 0.053967521136985024 / math.log(2), rtol=1e-9)


def test_equal_distributions_give_zero():
    """A distribution against itself gives exactly 0.0 in closed form."""
    for p, _, _ in CLOSED_CASES:
        assert kl_between(p, p) == 0.0
    for p, _, _ in MULTI_CASES:
        assert kl_between(p, p) == 0.0


# --- support and +inf ---


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (S.uniform(0, 1), S.uniform(0, 0.5)),
        (S.uniform(0, 1), S.uniform(0.5, 2)),
        (S.expon(0), S.expon(1)),
        (S.gamma(2, loc=0), S.gamma(2, loc=1)),
        (S.lognorm(1, loc=0), S.lognorm(1, loc=0.5)),
        (S.norm(), S.uniform(-5, 10)),
        (S.norm(), S.expon()),
        (S.beta(2, 2), S.beta(2, 2, scale=0.5)),
        (S.binom(10, 0.5), S.binom(5, 0.5)),
        (S.poisson(3), S.binom(100, 0.03)),
        (S.poisson(3, loc=-1), S.poisson(3)),
        (S.geom(0.5), S.poisson(1, loc=2)),
        (S.bernoulli(0.5), S.bernoulli(0.0)),
        (S.bernoulli(0.5), S.bernoulli(1.0)),
    ],
    ids=lambda d: sa.name(d),
)
def test_p_outside_support_of_q_is_inf(p, q):
    """p putting mass outside q's support gives inf on every route."""
    assert kl_between(p, q) == math.inf
    assert kl_between(p, q, method="numeric") == math.inf


def test_discrete_against_continuous_is_inf():
    """A pmf against a density (or the reverse) is inf, not an error."""
    assert kl_between(S.poisson(3), S.norm(3, 2)) == math.inf
    assert kl_between(S.norm(3, 2), S.poisson(3)) == math.inf
    out = kl_between(S.binom(5, [0.2, 0.5]), S.norm())
    assert_allclose(out, [math.inf, math.inf])


def test_lattice_mismatch_is_inf():
    """A discrete p on a shifted lattice (non-integer loc) is inf by summation."""
    assert kl_between(S.poisson(3, loc=0.5), S.poisson(3)) == math.inf


def test_zero_density_inside_support_is_inf():
    """q with a gap inside its support interval: inf from the integrand."""
    q = S.rv_histogram(([1.0, 0.0, 1.0], [0.0, 1 / 3, 2 / 3, 1.0]))()
    assert kl_between(S.uniform(0, 1), q) == math.inf
    # ... while p avoiding the gap is finite: log(2/3) of density 1.5 vs 1
    p = S.uniform(0, 1 / 3)
    assert_allclose(kl_between(p, q), math.log(3 / 1.5), rtol=1e-9)


def test_rv_discrete_values_match_kl_divergence():
    """rv_discrete(values=...) is summed over its points, like kl_divergence."""
    p = S.rv_discrete(values=([0, 2, 5], [0.2, 0.3, 0.5]))()
    q = S.rv_discrete(values=([0, 1, 2, 5], [0.1, 0.2, 0.3, 0.4]))()
    # the pmfs on the union of the supports, 0, 1, 2, 5
    expected = kl_divergence([0.2, 0.0, 0.3, 0.5], [0.1, 0.2, 0.3, 0.4])
    assert_allclose(kl_between(p, q), expected, rtol=1e-14)
    assert kl_between(q, p) == math.inf  # q has mass at 1, p none


def test_underflowing_logpdf_is_not_mistaken_for_zero():
    """scipy's laplace logpdf underflows far out; that is not a support gap."""
    # laplace has no _logpdf in scipy: logpdf(-643) is log(0) = -inf.
    assert S.laplace(-1, 0.7).logpdf(-643.0) == -math.inf
    got = kl_between(S.laplace(0.5, 1.2), S.laplace(-1, 0.7), method="numeric")
    assert_allclose(got, 1.0950117224562104, rtol=1e-7)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_quadrature_tails_far_from_unit_scale(scale):
    """Regression: infinite tails far from scale 1 were mis-integrated.

    quad maps an infinite range to (0, 1] at unit scale, so a Cauchy tail
    beginning at 3e5 or a normal of width 1e-6 lost digits (6e-6 and 1e-4
    relative). KL is scale invariant: every scale must give the same value.
    """
    # sqrt(2/pi) + log(2) - log(2 pi)/2 - 1/2 with mpmath at 30 digits
    expected = 0.072093208158137924
    got = kl_between(S.norm(0, scale), S.laplace(0, scale), method="numeric")
    assert_allclose(got, expected, rtol=1e-7)
    # log(10/8): Cauchy(0, 1) against Cauchy(1, 2), scaled together
    got = kl_between(S.cauchy(0, scale), S.cauchy(scale, 2 * scale))
    assert_allclose(got, math.log(10 / 8), rtol=1e-7)


def test_divergent_integral_is_inf():
    """Cauchy against normal diverges (E x^2 = inf): inf, decided by the tail exponent."""
    assert kl_between(S.cauchy(), S.norm()) == math.inf


def test_underflow_where_p_has_density_refuses():
    """q's logpdf underflowing where p is not negligible is refused, not a number."""
    # t(3) has density ~1e-9 near x = 745, where laplace's log(pdf) is -inf;
    # the true divergence is finite, so inf would be wrong and a number a guess.
    with pytest.raises(NotImplementedError, match="underflows to -inf"):
        kl_between(S.t(3), S.laplace())


# --- array parameters ---


def test_array_parameters_broadcast_like_kl_normal():
    """norm with array parameters gives the kl_normal array (vectorised)."""
    mu = np.linspace(-2, 2, 5)[:, None]
    sd = np.array([0.5, 1.0, 3.0])
    got = kl_between(S.norm(mu, sd), S.norm(0.5, 1.5))
    assert got.shape == (5, 3)
    assert_allclose(got, kl_normal(mu, sd, 0.5, 1.5), rtol=0, atol=0)


def test_array_parameters_in_p_and_q_broadcast():
    """p and q parameters broadcast against each other."""
    p = S.gamma([[1.5], [2.5]], scale=2.0)  # shape (2, 1)
    q = S.gamma([0.7, 1.0, 3.0], scale=[1.0, 2.0, 3.0])  # shape (3,)
    got = kl_between(p, q)
    assert got.shape == (2, 3)
    for i, a in enumerate([1.5, 2.5]):
        for j, (b, s) in enumerate([(0.7, 1.0), (1.0, 2.0), (3.0, 3.0)]):
            one = kl_between(S.gamma(a, scale=2.0), S.gamma(b, scale=s))
            assert_allclose(got[i, j], one, rtol=1e-15)


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (S.poisson([1.0, 4.0, 9.0]), S.poisson(4.0)),
        (S.binom(10, [0.1, 0.5]), S.binom(10, 0.3)),
        (S.bernoulli([0.0, 0.5, 1.0]), S.bernoulli(0.25)),
        (S.geom([0.2, 0.9]), S.geom(0.5)),
        (S.beta([0.5, 2.0], 3.0), S.beta(2.0, [1.0, 4.0])),
        (S.laplace([0.0, 1.0], [1.0, 2.0]), S.laplace(0.5)),
        (S.lognorm([0.5, 1.0], scale=[1.0, 2.0]), S.lognorm(0.7)),
        (S.expon([0.0, 1.0], [1.0, 2.0]), S.expon(0.0, 1.5)),
        (S.uniform([0.0, 0.5], [1.0, 0.25]), S.uniform(0.0, 2.0)),
    ],
    ids=lambda d: sa.name(d),
)
def test_array_parameters_match_scalar_calls(p, q):
    """Every vectorised closed form equals the element-by-element answers."""
    got = kl_between(p, q)
    shape = got.shape
    for index in np.ndindex(shape):
        one = kl_between(sa.element(p, index, shape), sa.element(q, index, shape))
        assert_allclose(got[index], one, rtol=1e-15, atol=0)


def test_array_mixing_closed_form_numeric_and_inf():
    """Per element: closed form, quadrature fallback, or inf by support."""
    p = S.lognorm(0.5, loc=[0.0, 1.0, -1.0], scale=2)
    q = S.lognorm(0.5, loc=0.0, scale=2)
    got = kl_between(p, q)
    assert got[0] == 0.0  # equal parameters, closed form
    # kl_quad(llognorm(0.5, 1, 2), llognorm(0.5, 0, 2), [1, 2, 3, 5, mp.inf])
    assert_allclose(got[1], 0.52663453139511019, rtol=1e-7)
    assert got[2] == math.inf  # support [-1, inf) not inside [0, inf)
    with pytest.raises(NotImplementedError, match="with these parameters"):
        kl_between(p, q, method="closed")


def test_expon_gamma_with_unequal_loc_falls_back():
    """expon vs gamma(a=1) with different locs: quadrature matches expon's form."""
    # gamma(1, loc=-0.5, scale=3) is expon(-0.5, 3); reference expon(1.0, 2.0,
    # -0.5, 3.0) from the table above
    got = kl_between(S.expon(1, 2), S.gamma(1, loc=-0.5, scale=3))
    assert_allclose(got, 0.57213177477483105, rtol=1e-7)
    with pytest.raises(NotImplementedError, match="with these parameters"):
        kl_between(S.expon(1, 2), S.gamma(1, loc=-0.5, scale=3), method="closed")


def test_binom_with_array_n():
    """Equal n in closed form, smaller n by summation, larger n is inf."""
    got = kl_between(S.binom([5, 8, 10], 0.3), S.binom(8, 0.3))
    # sum(mp.exp(lbinom(5, 0.3)(k)) * (lbinom(5, 0.3)(k) - lbinom(8, 0.3)(k))
    #     for k in range(6))
    assert_allclose(got, [0.27038860987529492, 0.0, math.inf], rtol=1e-9)


# --- properties of the closed forms ---

positive = st.floats(0.05, 20.0)
prob = st.floats(0.01, 0.99)
real = st.floats(-10.0, 10.0)

FAMILIES = {
    "norm": (st.tuples(real, positive), lambda a: S.norm(*a)),
    "expon": (st.tuples(real, positive), lambda a: S.expon(*a)),
    "gamma": (st.tuples(positive, positive), lambda a: S.gamma(a[0], scale=a[1])),
    "beta": (st.tuples(positive, positive), lambda a: S.beta(*a)),
    "laplace": (st.tuples(real, positive), lambda a: S.laplace(*a)),
    "lognorm": (st.tuples(positive, positive), lambda a: S.lognorm(a[0], scale=a[1])),
    "poisson": (st.tuples(positive), lambda a: S.poisson(*a)),
    "binom": (st.tuples(prob), lambda a: S.binom(7, *a)),
    "geom": (st.tuples(prob), lambda a: S.geom(*a)),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_closed_forms_non_negative_and_zero_at_equal(family):
    """Every closed form is >= 0, and exactly 0 at equal parameters."""
    strategy, make = FAMILIES[family]

    @settings(max_examples=60, deadline=None)
    @given(strategy, strategy)
    def check(a, b):
        p, q = make(a), make(b)
        value = kl_between(p, q, method="closed")
        assert value >= 0.0
        assert math.copysign(1.0, value) == 1.0
        assert kl_between(p, p, method="closed") == 0.0

    check()


@settings(max_examples=100, deadline=None)
@given(real, positive, real, positive)
def test_kl_between_norm_equals_kl_normal(mu_p, sd_p, mu_q, sd_q):
    """kl_between on frozen normals is kl_normal, bit for bit."""
    got = kl_between(S.norm(mu_p, sd_p), S.norm(mu_q, sd_q))
    assert got == kl_normal(mu_p, sd_p, mu_q, sd_q)


# --- errors ---


@pytest.mark.parametrize("name", ["p", "q"])
def test_rejects_unfrozen_distribution(name):
    """The distribution class itself (not frozen) is a TypeError naming it."""
    args = {"p": S.norm(), "q": S.norm(), name: S.norm}
    with pytest.raises(TypeError, match=f"`{name}` must be a frozen distribution"):
        kl_between(args["p"], args["q"])


@pytest.mark.parametrize("name", ["p", "q"])
def test_rejects_non_distribution(name):
    """Arrays or numbers are a TypeError naming the argument."""
    args = {"p": S.norm(), "q": S.norm(), name: np.array([0.5, 0.5])}
    with pytest.raises(TypeError, match=f"`{name}` must be a frozen scipy.stats"):
        kl_between(args["p"], args["q"])


@pytest.mark.parametrize("name", ["p", "q"])
@pytest.mark.parametrize(
    "bad",
    [
        S.norm(0, -1),
        S.gamma(-1.0),
        S.poisson(-2.0),
        S.norm(np.nan, 1),
        S.beta(1, 2, 0, np.inf),
    ],
    ids=["negative-scale", "negative-shape", "negative-mu", "nan-loc", "inf-scale"],
)
def test_rejects_invalid_parameters(name, bad):
    """Invalid parameters are a ValueError naming the distribution."""
    good = {"norm": S.norm(), "gamma": S.gamma(1.0), "poisson": S.poisson(1.0)}
    other = good.get(bad.dist.name, S.beta(1, 2))
    args = {"p": other, "q": other, name: bad}
    with pytest.raises(ValueError, match=f"`{name}` has invalid parameters"):
        kl_between(args["p"], args["q"])


def test_rejects_parameters_that_do_not_broadcast():
    """p's and q's parameter shapes must broadcast."""
    with pytest.raises(ValueError, match="do not broadcast"):
        kl_between(S.norm([0, 1]), S.norm([0, 1, 2]))


@pytest.mark.parametrize("method", ["exact", "", None])
def test_rejects_bad_method(method):
    """An unknown method is a ValueError naming `method`."""
    with pytest.raises(ValueError, match="`method` must be"):
        kl_between(S.norm(), S.norm(), method=method)


def test_rejects_bad_base():
    """An invalid base is a ValueError naming `base`."""
    with pytest.raises(ValueError, match="`base`"):
        kl_between(S.norm(), S.norm(), base=1)


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (S.multivariate_normal([0, 0]), S.multivariate_t([0, 0])),
        (S.multivariate_t([0, 0]), S.multivariate_t([0, 0], df=3)),
        (S.norm(), S.multivariate_normal([0])),
        (S.multivariate_normal([0]), S.norm()),
    ],
    ids=["mvn-mvt", "mvt-mvt", "norm-mvn", "mvn-norm"],
)
def test_multivariate_without_closed_form_points_to_monte_carlo(p, q):
    """No closed form and no quadrature: NotImplementedError naming kl_monte_carlo."""
    with pytest.raises(NotImplementedError, match="kl_monte_carlo"):
        kl_between(p, q)


def test_multivariate_numeric_points_to_monte_carlo():
    """method='numeric' on multivariate normals: NotImplementedError."""
    p = S.multivariate_normal([0, 0])
    with pytest.raises(NotImplementedError, match="kl_monte_carlo"):
        kl_between(p, p, method="numeric")


def test_univariate_without_closed_form_refused_by_method_closed():
    """method='closed' on an unregistered 1-D pair raises."""
    with pytest.raises(NotImplementedError, match="no closed form applies"):
        kl_between(S.t(5), S.norm(), method="closed")


@pytest.mark.parametrize("name", ["p", "q"])
def test_singular_multivariate_normal_is_value_error(name):
    """A singular covariance (allow_singular) is a ValueError naming p or q."""
    singular = S.multivariate_normal([0, 0], [[1, 1], [1, 1]], allow_singular=True)
    args = {"p": S.multivariate_normal([0, 0]), "q": S.multivariate_normal([0, 0])}
    args[name] = singular
    with pytest.raises(ValueError, match=f"the covariance of `{name}` is not positive"):
        kl_between(args["p"], args["q"])


def test_multivariate_normal_dimension_mismatch():
    """Multivariate normals of different dimensions are a ValueError."""
    with pytest.raises(ValueError, match="different dimensions"):
        kl_between(S.multivariate_normal([0, 0]), S.multivariate_normal([0, 0, 0]))


def test_dirichlet_dimension_mismatch():
    """Dirichlet distributions of different dimensions are a ValueError."""
    with pytest.raises(ValueError, match="different dimensions"):
        kl_between(S.dirichlet([1, 2]), S.dirichlet([1, 2, 3]))


# --- register_kl ---


@pytest.fixture
def registry():
    """Restore the registry after a test registers pairs."""
    saved = dict(_registry._REGISTRY)
    yield _registry._REGISTRY
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


class halfexp_gen(stats.rv_continuous):
    """A test-only family: the standard exponential, under another name."""

    def _pdf(self, x):
        return np.exp(-x)


halfexp = halfexp_gen(a=0.0, name="halfexp")


def test_register_kl_adds_a_pair(registry):
    """A registered function is used, vectorised, and returned unchanged."""
    calls = []

    def kl_scales(p, q):
        calls.append(1)
        sp, sq = p.kwds["scale"], q.kwds["scale"]
        # KL(Exp(scale sp) || Exp(scale sq)), loc 0
        return np.log(np.divide(sq, sp)) + np.divide(sp, sq) - 1

    assert register_kl(halfexp, halfexp)(kl_scales) is kl_scales
    p, q = halfexp(scale=[1.0, 2.0]), halfexp(scale=2.0)
    got = kl_between(p, q)
    assert calls == [1]
    expected = kl_between(S.expon(scale=[1.0, 2.0]), S.expon(scale=2.0))
    assert_allclose(got, expected, rtol=1e-15)
    # ... and the quadrature agrees with the registered formula
    assert_allclose(kl_between(p, q, method="numeric"), expected, rtol=1e-7)


def test_register_kl_accepts_classes(registry):
    """Registering by class works the same as by distribution object."""
    register_kl(halfexp_gen, type(S.expon))(lambda p, q: 123.0)
    assert kl_between(halfexp(), S.expon()) == 123.0


def test_register_kl_not_implemented_falls_back(registry):
    """Returning NotImplemented defers to numerics (or raises for 'closed')."""
    register_kl(halfexp, halfexp)(lambda p, q: NotImplemented)
    p, q = halfexp(scale=1.0), halfexp(scale=2.0)
    # log(2) + 1/2 - 1, the exponential closed form
    assert_allclose(kl_between(p, q), math.log(2) - 0.5, rtol=1e-7)
    with pytest.raises(NotImplementedError):
        kl_between(p, q, method="closed")


def test_register_kl_masked_elements_fall_back(registry):
    """Masked elements of a registered result are computed numerically."""
    register_kl(halfexp, halfexp)(
        lambda p, q: np.ma.MaskedArray([0.0, 0.0], mask=[False, True])
    )
    got = kl_between(halfexp(scale=[2.0, 1.0]), halfexp(scale=2.0))
    assert got[0] == 0.0
    assert_allclose(got[1], math.log(2) - 0.5, rtol=1e-7)


def test_register_kl_overrides_builtin(registry):
    """A later registration replaces an earlier one (here the built-in)."""
    with pytest.warns(UserWarning, match="replaces the function registered"):
        register_kl(S.norm, S.norm)(lambda p, q: 42.0)
    assert kl_between(S.norm(), S.norm(1)) == 42.0
    register_kl(S.norm, S.norm, override=True)(lambda p, q: 43.0)  # silent
    assert kl_between(S.norm(), S.norm(1)) == 43.0


def test_register_kl_subclass_dispatch(registry):
    """Lookup walks the class hierarchy: a subclass uses its parent's pair."""

    class mynorm_gen(type(S.norm)):
        pass

    mynorm = mynorm_gen(name="mynorm")
    assert kl_between(mynorm(0, 1), S.norm(1, 1)) == kl_normal(0, 1, 1, 1)
    register_kl(mynorm, S.norm)(lambda p, q: 7.0)
    assert kl_between(mynorm(0, 1), S.norm(1, 1)) == 7.0  # the nearer pair wins


@pytest.mark.parametrize("bad", [np.float64, "norm", S.norm(), 3])
def test_register_kl_rejects_non_distributions(bad):
    """Types that are not scipy distributions are a TypeError."""
    with pytest.raises(TypeError, match=r"`type_p` must be a scipy\.stats"):
        register_kl(bad, S.norm)
    with pytest.raises(TypeError, match=r"`type_q` must be a scipy\.stats"):
        register_kl(S.norm, bad)


def test_register_kl_rejects_non_callable():
    """Decorating something that is not callable is a TypeError."""
    with pytest.raises(TypeError, match="must decorate a function"):
        register_kl(S.norm, S.norm)(3.0)


def test_new_infrastructure_batch_and_invalid_parameters():
    """SciPy's new Normal with array parameters gives one divergence per
    element (closed form log(s_q / s_p) + (s_p^2 + (m_p - m_q)^2) / (2 s_q^2)
    - 1/2, written here), and a NaN parameter is refused by name."""
    from scipy.stats import Normal

    got = kl_between(Normal(mu=[0.0, 1.0], sigma=1.0), Normal(mu=0.0, sigma=2.0))
    want = [math.log(2.0) + (1.0 + m**2) / 8.0 - 0.5 for m in (0.0, 1.0)]
    np.testing.assert_allclose(got, want, rtol=1e-14)
    with pytest.raises(ValueError, match=r"`p` has invalid parameters"):
        kl_between(Normal(mu=0.0, sigma=[1.0, np.nan]), Normal())


def test_new_infrastructure_continuous_or_discrete_is_recognised():
    """SciPy's new Normal (shifted and scaled too) and a Mixture of normals have
    densities, a Binomial a pmf: between a pmf and a density KL is inf."""
    normal = stats.Normal(mu=0.0, sigma=1.0)
    mixture = stats.Mixture(
        [normal, stats.Normal(mu=1.0, sigma=2.0)], weights=[0.5, 0.5]
    )
    for d in (normal, 2.0 * normal + 1.0, mixture):
        assert not sa.is_discrete(d), d
    if sa.DiscreteDistribution is None:  # SciPy 1.15 has no new discrete families
        return
    binomial = stats.Binomial(n=5, p=0.3)
    assert sa.is_discrete(binomial)
    assert kl_between(binomial, normal) == math.inf
    assert kl_between(normal, binomial) == math.inf
