"""Closed forms of kltools._pairs against mpmath quadrature, and the issue-10 table.

References were computed with mpmath at 30 digits by

    mp.quad(lambda x: p(x) * (mp.log(p(x)) - mp.log(q(x))), [a, ..., b])

with p, q the densities written out in mpmath (``_mp_kl`` below does the same
at test time for the random cross-check).
"""

import math
import time

import mpmath as mp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as S

from kltools import kl_between

# (p, q, reference) for each pair added by the split; reference from mpmath
# quadrature (command in the comment) or the closed form named.
PAIR_CASES = [
    # issue-10 table: Gumbel closed form
    (S.gumbel_r(1.3, 2.4), S.gumbel_r(0.8, 0.17), 6308410180.377044),
    # mp.quad of the gumbel_l densities on [-inf, 0, 2, inf]
    (S.gumbel_l(0.5, 1.5), S.gumbel_l(-0.2, 0.9), None),
    (S.chi2(0.1042), S.chi2(3.422), 29.641074502110),  # issue table, mpmath
    (S.chi2(3), S.gamma(2, scale=1.5), None),
    (S.expon(scale=2), S.chi2(3), None),
    (S.gamma(2.5), S.chi2(4), None),
    (S.invgamma(0.1019, scale=1.107), S.invgamma(0.1672, scale=2.187), 0.134163158781),
    (S.weibull_min(1.7, scale=2), S.weibull_min(1.7, scale=0.8), None),
    (S.pareto(2.5, scale=2), S.pareto(1.5, scale=1.2), None),
    (S.cauchy(0.3, 1.2), S.cauchy(-1, 0.4), None),
    (S.norm(), S.laplace(800, 1), None),
    (S.norm(0.4, 1.3), S.laplace(-0.2, 0.7), None),
    (S.expon(0.3, 2), S.gumbel_r(1, 1.5), None),
    (S.nbinom(4, 0.3), S.nbinom(4, 0.6), None),
    (S.zipf(1.5), S.zipf(2), 0.290058077633),  # issue table
    (S.Normal(mu=0.0, sigma=1.0), 2 * S.Normal() + 1, None),
    (S.Normal(mu=0.5, sigma=2.0), S.norm(0, 1), None),
    (S.norm(0, 1), S.Normal(mu=0.5, sigma=2.0), None),
    (S.Normal(mu=0.5, sigma=2.0), S.Normal(mu=0.0, sigma=1.5), None),
    (S.chi2(3), S.expon(scale=2), None),
    (S.chi2(3), S.chi2(5), None),
    (S.gamma(2, scale=3), S.chi2(4), None),
]


def _mp_logpdf(d):
    """The log-density or log-pmf of a scipy distribution, written in mpmath."""
    if not hasattr(d, "dist"):  # new-infrastructure normal
        m, s = mp.mpf(float(d.mean())), mp.mpf(float(d.standard_deviation()))
        return lambda x: -((x - m) ** 2) / (2 * s**2) - mp.log(s * mp.sqrt(2 * mp.pi))
    name = d.dist.name
    # scipy's own parsing of the arguments (not kltools'): shapes, loc, scale
    parsed = d.dist._parse_args(*d.args, **d.kwds)
    shapes = [mp.mpf(float(v)) for v in parsed[0]]
    loc = mp.mpf(float(parsed[1]))
    if name == "zipf":
        (a,) = shapes
        return lambda k: -a * mp.log(k - loc) - mp.log(mp.zeta(a))
    if name == "nbinom":
        n, pr = shapes
        return lambda k: (
            mp.loggamma(k - loc + n)
            - mp.loggamma(n)
            - mp.loggamma(k - loc + 1)
            + n * mp.log(pr)
            + (k - loc) * mp.log(1 - pr)
        )
    scale = mp.mpf(float(parsed[2]))

    def std(z):
        if name == "norm":
            return -(z**2) / 2 - mp.log(2 * mp.pi) / 2
        if name == "laplace":
            return -abs(z) - mp.log(2)
        if name == "gumbel_r":
            return -z - mp.exp(-z)
        if name == "gumbel_l":
            return z - mp.exp(z)
        if name == "cauchy":
            return -mp.log(mp.pi * (1 + z**2))
        if name == "expon":
            return -z
        if name == "gamma":
            (a,) = shapes
            return (a - 1) * mp.log(z) - z - mp.loggamma(a)
        if name == "chi2":
            (k,) = shapes
            return (
                (k / 2 - 1) * mp.log(z) - z / 2 - mp.loggamma(k / 2) - k / 2 * mp.log(2)
            )
        if name == "invgamma":
            (a,) = shapes
            return -(a + 1) * mp.log(z) - 1 / z - mp.loggamma(a)
        if name == "weibull_min":
            (c,) = shapes
            return mp.log(c) + (c - 1) * mp.log(z) - z**c
        if name == "t":
            (nu,) = shapes
            c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.pi * nu) / 2
            return c - (nu + 1) / 2 * mp.log1p(z**2 / nu)
        if name == "logistic":
            return -z - 2 * mp.log1p(mp.exp(-z))
        if name == "pareto":
            (b,) = shapes
            return mp.log(b) - (b + 1) * mp.log(z)
        raise AssertionError(name)

    return lambda x: std((x - loc) / scale) - mp.log(scale)


def _mp_kl(p, q, dps=30):
    """KL(p || q) by mpmath quadrature (or summation) over p's support."""
    mp.mp.dps = dps
    lp, lq = _mp_logpdf(p), _mp_logpdf(q)
    if hasattr(p, "dist") and p.dist.name in ("zipf", "nbinom"):
        a = float(p.support()[0])
        return float(mp.nsum(lambda k: mp.exp(lp(k)) * (lp(k) - lq(k)), [a, mp.inf]))

    def f(x):
        return mp.exp(lp(x)) * (lp(x) - lq(x))

    ppf = p.ppf if hasattr(p, "ppf") else p.icdf
    isf = p.isf if hasattr(p, "isf") else p.iccdf
    a, b = (float(v) for v in p.support())
    # Breakpoints at p's quartiles and q's median. Infinite ends: mpmath's
    # infinite-interval transform, except for Gumbel's doubly exponential
    # tails (slow there), cut where p's tail mass is 1e-40.
    inner = {float(ppf(0.25)), float(ppf(0.5)), float(isf(0.25)), float(q.median())}
    gumbel = getattr(getattr(p, "dist", None), "name", "").startswith("gumbel")
    lo = float(ppf(1e-40)) if gumbel else -mp.inf
    hi = float(isf(1e-40)) if gumbel else mp.inf
    pts = [a if math.isfinite(a) else lo]
    pts += sorted(x for x in inner if a < x < b)
    pts += [b if math.isfinite(b) else hi]
    if not math.isfinite(a):
        return float(mp.quad(f, pts))
    # From a finite endpoint, where the density may be singular, integrate
    # in y = log(x - a), down to x - a = exp(-7000) times the first piece.
    top = mp.log(mp.mpf(pts[1]) - a)
    ys = [top - k for k in (7000, 3000, 1000, 300, 100, 30, 10, 3, 0)]
    head = mp.quad(lambda y: f(a + mp.exp(y)) * mp.exp(y), ys)
    return float(head + mp.quad(f, pts[1:]))


@pytest.mark.parametrize("case", PAIR_CASES, ids=lambda c: f"{c[0]!r}"[:40])
def test_closed_form_matches_mpmath(case):
    """Each new closed form agrees with an mpmath reference (1e-9 relative)."""
    p, q, ref = case
    if ref is None:
        ref = _mp_kl(p, q)
    got = kl_between(p, q, method="closed")
    assert_allclose(got, ref, rtol=1e-9)
    assert got > 0  # unequal distributions


def test_expon_against_far_gumbel_is_inf_in_double():
    """KL(expon() || gumbel_r(800, 1)) = exp(800)/2 - ... = 1.4e347: inf in double."""
    assert kl_between(S.expon(), S.gumbel_r(800, 1)) == math.inf


# The issue-10 table: each returns the true value (mpmath, 30 digits, written
# above each) or refuses clearly; none returns a wrong number.
TABLE = [
    # mp.quad of t(3, 1, 2) against norm(1, 2.5) on [-inf, 1, inf]
    (S.t(3, 1, 2), S.norm(1, 2.5), 0.3286045126555917),
    (S.t(2.5), S.norm(), 1.5711784626287),
    # 2 * (mp.quad(f, [0, 1]) + mp.quad(lambda t: f(mp.exp(t)) * mp.exp(t),
    #      [0, 2, 5, 10, 20, 50, 100, 200, 400, 800, 1600, mp.inf])), f the
    # t(2.05)-vs-norm integrand at 30 digits: 19.4724378188861845959608
    # (the issue's "19.47": its own reference was short by about 2e-9)
    (S.t(2.05), S.norm(), 19.472437818886185),
    (S.pareto(1.5), S.expon(), 1.7387984414415),
    (S.pareto(1.2), S.expon(), 4.3489882234606),
    (S.pareto(3), S.norm(), 2.1842174885394),
    (S.norm(), S.laplace(800, 1), 799.27420864735),
    (S.gamma(0.05), S.norm(), 17.399262073888),
    (S.gamma(0.1), S.norm(), 8.0026053278404),
    (S.beta(0.1014, 2.529), S.expon(scale=1 / 0.1551), 9.5618988102056),
    (S.chi2(0.012516), S.expon(scale=1 / 479.36), 153.41638036792),
]


@pytest.mark.parametrize(
    "case", TABLE, ids=lambda c: f"{c[0].dist.name}-{c[1].dist.name}"
)
def test_issue_table_values(case):
    """The calls of issue 10's table give the mpmath value (1e-8 relative)."""
    p, q, ref = case
    assert_allclose(kl_between(p, q), ref, rtol=1e-8)
    if q.dist.name not in ("laplace",) and p.dist.name != "chi2":
        # and the numerical fallback alone gives it too (no closed form there)
        assert_allclose(kl_between(p, q, method="numeric"), ref, rtol=1e-8)


def test_issue_table_refusals_are_clear():
    """Where the fallback cannot be sure, it refuses and names kl_monte_carlo."""
    for p, q in [
        (S.norm(), S.laplace(800, 1)),  # numerically: laplace's logpdf underflows
        (S.chi2(0.012516), S.expon(scale=1 / 479.36)),  # mass at 0 below rounding
    ]:
        with pytest.raises(NotImplementedError, match="kl_monte_carlo"):
            kl_between(p, q, method="numeric")


def test_zipf_numeric_refuses_quickly():
    """zipf(1.5) has a tail too heavy to sum: a refusal, not 153 s."""
    with pytest.raises(NotImplementedError, match="too heavy"):
        kl_between(S.zipf(1.5), S.zipf(2), method="numeric")


def test_random_cross_check_closed_forms():
    """Random extreme-but-valid parameters: closed form vs mpmath quadrature."""
    rng = np.random.default_rng(10)
    makers = [
        lambda r: (
            S.gumbel_r(r.normal(), np.exp(r.normal())),
            S.gumbel_r(r.normal(), np.exp(r.normal())),
        ),
        lambda r: (
            S.weibull_min(c := np.exp(r.normal()), scale=np.exp(r.normal())),
            S.weibull_min(c, scale=np.exp(r.normal())),
        ),
        lambda r: (
            S.cauchy(r.normal(), np.exp(2 * r.normal())),
            S.cauchy(r.normal(), np.exp(r.normal())),
        ),
        lambda r: (
            S.norm(r.normal(), np.exp(r.normal())),
            S.laplace(3 * r.normal(), np.exp(r.normal())),
        ),
        lambda r: (
            S.gamma(np.exp(r.normal()), scale=np.exp(r.normal())),
            S.chi2(np.exp(r.normal())),
        ),
    ]
    for make in makers:
        for _ in range(3):
            p, q = make(rng)
            assert_allclose(
                kl_between(p, q, method="closed"), _mp_kl(p, q, 20), rtol=1e-8
            )


def test_random_cross_check_fallback_vs_closed_form():
    """Random parameters: the fallback agrees with the closed form or refuses."""
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(20):
        p = S.gamma(np.exp(2 * rng.normal()), scale=np.exp(rng.normal()))
        q = S.gamma(np.exp(rng.normal()), scale=np.exp(rng.normal()))
        closed = kl_between(p, q, method="closed")
        try:
            numeric = kl_between(p, q, method="numeric")
        except NotImplementedError:
            continue
        assert_allclose(numeric, closed, rtol=1e-8, atol=1e-12)
        checked += 1
    assert checked >= 15


def test_new_infrastructure_mixture_against_normal():
    """A scipy.stats.Mixture of normals against a normal: fallback vs mpmath."""
    m = S.Mixture(
        [S.Normal(mu=-1.0, sigma=0.5), S.Normal(mu=2.0, sigma=1.0)], weights=[0.3, 0.7]
    )
    q = S.Normal(mu=0.5, sigma=2.0)
    mp.mp.dps = 30

    def lm(x):
        return mp.log(0.3 * mp.npdf(x, -1, 0.5) + 0.7 * mp.npdf(x, 2, 1))

    ref = mp.quad(
        lambda x: mp.exp(lm(x)) * (lm(x) - mp.log(mp.npdf(x, 0.5, 2))),
        [-mp.inf, -1, 2, mp.inf],
    )
    assert_allclose(kl_between(m, q), float(ref), rtol=1e-8)


def test_vectorised_fallback_matches_scalar_calls():
    """Array parameters in the fallback give the scalar-call values."""
    a = np.array([0.3, 1.0, 2.5, 7.0])
    got = kl_between(S.gamma(a), S.norm(), method="numeric")
    want = [kl_between(S.gamma(x), S.norm(), method="numeric") for x in a]
    assert got.shape == (4,)
    assert_allclose(got, want, rtol=1e-12)


def test_random_cross_check_fallback_cross_families():
    """Cross-family pairs, random parameters: the fallback equals mpmath or refuses."""
    rng = np.random.default_rng(12)
    makers = [
        lambda r: (
            S.t(np.exp(r.uniform(0.8, 3)), r.normal(), np.exp(r.normal())),
            S.norm(r.normal(), np.exp(r.normal())),
        ),
        lambda r: (
            S.gamma(np.exp(r.uniform(-2.5, 2)), scale=np.exp(r.normal())),
            S.weibull_min(np.exp(r.uniform(-0.5, 0.5)), scale=np.exp(r.normal())),
        ),
        lambda r: (
            S.logistic(r.normal(), np.exp(r.normal())),
            S.t(np.exp(r.uniform(0, 2)), r.normal(), np.exp(r.normal())),
        ),
        lambda r: (
            S.pareto(np.exp(r.uniform(0.3, 2))),
            S.expon(scale=np.exp(r.normal())),
        ),
        lambda r: (
            S.norm(r.normal(), np.exp(r.normal())),
            S.cauchy(r.normal(), np.exp(r.normal())),
        ),
    ]
    done = refused = 0
    for make in makers:
        for _ in range(3):
            p, q = make(rng)
            try:
                got = kl_between(p, q, method="numeric")
            except NotImplementedError as exc:
                assert "kl_monte_carlo" in str(exc)
                refused += 1
                continue
            ref = _mp_kl(p, q)  # 30 digits: heavy tails need them
            assert_allclose(
                got,
                ref,
                rtol=1e-8,
                atol=1e-12,
                err_msg=f"{p.dist.name}{p.args}{p.kwds} vs {q.dist.name}{q.args}{q.kwds}",
            )
            done += 1
    assert done >= 13, (done, refused)


class _SlowNormal(S.rv_continuous):
    """A standard normal whose density costs 10 ms a point (a slow family)."""

    def _pdf(self, x):
        time.sleep(0.01 * np.size(x))
        return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)

    def _cdf(self, x):
        return S.norm.cdf(x)

    def _ppf(self, u):
        return S.norm.ppf(u)


def test_slow_family_is_refused_up_front():
    """A density costing 10 ms a point (the fallback needs ~16 000 points per
    element) is refused after the probe, in about a second, not after minutes."""
    start = time.perf_counter()
    with pytest.raises(NotImplementedError, match="would take about"):
        kl_between(_SlowNormal(name="slow")(), S.norm(1.0, 2.0))
    assert time.perf_counter() - start < 10.0


def test_kink_of_p_inside_its_support_is_refused_not_guessed():
    """triang(0.3) vs uniform: the kink at 0.3 limits both rules; refuse, never a wrong number."""
    # true value log(2) - 1/2 = 0.19314718055994531 (H(triang) = 1/2 - log 2)
    try:
        got = kl_between(S.triang(0.3), S.uniform())
    except NotImplementedError as exc:
        assert "kl_monte_carlo" in str(exc)
    else:
        assert_allclose(got, math.log(2) - 0.5, rtol=1e-8)


def test_zeta_log_sum_matches_mpmath_derivative():
    """sum_k log(k) k^-s = -zeta'(s), against mpmath (-mp.zeta(s, 1, 1) at 30
    digits). The Euler-Maclaurin tail after 30 terms stops at the third
    derivative; the first omitted term is below 3e-12 of the sum for these
    s, so 5e-12 checks every kept term (the third-derivative one moves the
    sum by 7e-10 relative at s = 2 if a coefficient is wrong)."""
    from kltools._pairs import _zeta_log_sum

    s = np.array([1.1, 1.5, 2.0, 3.0, 6.0])
    with mp.workdps(30):
        want = [float(-mp.zeta(v, 1, 1)) for v in s]
    assert_allclose(_zeta_log_sum(s), want, rtol=5e-12)


def test_numeric_sum_keeps_a_tiny_positive_divergence():
    """Poisson(3) against Poisson(3 + 1e-7): the divergence is about 1.7e-15,
    below the summation's 1e-12 refusal threshold for negative totals, and is
    returned (closed form lam_q - lam_p + lam_p log(lam_p / lam_q))."""
    lam_p, lam_q = 3.0, 3.0 + 1e-7
    ref = (lam_q - lam_p) - lam_p * math.log1p((lam_q - lam_p) / lam_p)
    got = kl_between(S.poisson(lam_p), S.poisson(lam_q), method="numeric")
    assert abs(got - ref) < 1e-13
