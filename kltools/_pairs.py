"""Closed-form KL divergences between scipy.stats families, registered with `register_kl`.

Each function takes two distributions (possibly with array parameters) and
returns the divergence in nats, vectorised; where a formula needs equal
locations or shapes and they differ, it returns a masked array whose masked
elements `kl_between` computes numerically. The support check of
`kl_between` has already returned ``inf`` where p escapes q.

Formulas follow Gil, Alajaji and Linder (2013) and Penny (2001), or are
derived in the comments (most by a bijection that maps both distributions to
a pair with a known divergence, which leaves KL unchanged); each is checked
against mpmath quadrature in ``tests/test_pairs.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special, stats

from . import _scipy_adapter as sa
from ._closed_form import expm1mx, kl_div, log_ratio, mvnormal_nats, normal_nats
from ._registry import register_kl
from ._validation import finite_array

__all__: list[str] = []

_EULER = 0.5772156649015329


def _when(ok: np.ndarray, value: np.ndarray) -> np.ma.MaskedArray:
    """`value`, declined (masked) where the formula's precondition `ok` fails."""
    ok, value = np.broadcast_arrays(np.asarray(ok), np.asarray(value, dtype=np.float64))
    return np.ma.MaskedArray(value, mask=~ok)


# --- normal ---------------------------------------------------------------


def _normal_moments(d: Any) -> tuple[np.ndarray, np.ndarray]:
    if sa.kind(d, "d") == "frozen":
        _, mu, sd = sa.parameters(d)
        return mu, sd
    # New infrastructure: Normal, possibly shifted and scaled; mean and
    # standard deviation are public and cover both.
    with np.errstate(all="ignore"):
        return (
            np.asarray(d.mean(), dtype=np.float64),
            np.asarray(d.standard_deviation(), dtype=np.float64),
        )


def _kl_norm_norm(p: Any, q: Any) -> np.ndarray:
    mu_p, sd_p = _normal_moments(p)
    mu_q, sd_q = _normal_moments(q)
    return normal_nats(mu_p, sd_p, mu_q, sd_q)


_NORMALS: list[object] = [stats.norm]
if hasattr(stats, "Normal"):  # SciPy >= 1.15
    _NORMALS.append(stats.Normal)
for _a in _NORMALS:
    for _b in _NORMALS:
        register_kl(_a, _b)(_kl_norm_norm)


@register_kl(stats.norm, stats.laplace)
def _kl_norm_laplace(p: Any, q: Any) -> np.ndarray:
    # -H(N(mu, s)) + log(2b) + E|X - m| / b, with the folded-normal mean
    # E|X - m| = s sqrt(2/pi) exp(-d^2 / (2 s^2)) + |d| erf(|d| / (s sqrt 2)).
    _, mu, s = sa.parameters(p)
    _, m, b = sa.parameters(q)
    d = np.abs(mu - m)
    mean_abs = s * math.sqrt(2.0 / math.pi) * np.exp(
        -0.5 * (d / s) ** 2
    ) + d * special.erf(d / (s * math.sqrt(2.0)))
    return log_ratio(2.0 * b, s) - 0.5 * math.log(2.0 * math.pi * math.e) + mean_abs / b


@register_kl(stats.multivariate_normal, stats.multivariate_normal)
def _kl_mvn_mvn(p: Any, q: Any) -> np.ndarray:
    return mvnormal_nats(
        finite_array(p.mean, "p.mean"),
        finite_array(p.cov, "p.cov"),
        finite_array(q.mean, "q.mean"),
        finite_array(q.cov, "q.cov"),
        names=(
            "the mean of `p`",
            "the covariance of `p`",
            "the mean of `q`",
            "the covariance of `q`",
        ),
    )


# --- the gamma family: expon, gamma, erlang, chi2 ---------------------------


@register_kl(stats.expon, stats.expon)
def _kl_expon_expon(p: Any, q: Any) -> np.ndarray:
    # log(s_q/s_p) + s_p/s_q - 1 + (loc_p - loc_q)/s_q; inf when loc_p < loc_q
    # is decided by the support check.
    _, loc_p, s_p = sa.parameters(p)
    _, loc_q, s_q = sa.parameters(q)
    return expm1mx(log_ratio(s_p, s_q)) + (loc_p - loc_q) / s_q


def _gamma_params(d: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shapes, loc, scale = sa.parameters(d)
    if isinstance(d.dist, type(stats.expon)):
        return np.asarray(1.0), loc, scale
    if isinstance(d.dist, type(stats.chi2)):  # chi2(k) is gamma(k/2, scale=2)
        return 0.5 * shapes[0], loc, 2.0 * scale
    return shapes[0], loc, scale


def _gamma_nats(a_p, s_p, a_q, s_q):  # type: ignore[no-untyped-def]
    # (a_p - a_q) psi(a_p) - ln G(a_p) + ln G(a_q) + a_q ln(s_q/s_p)
    #   + a_p (s_p - s_q)/s_q, with the scale terms regrouped as
    #   a_p (e^u - 1 - u) + (a_p - a_q) u, u = ln(s_p/s_q).
    u = log_ratio(s_p, s_q)
    return (
        (a_p - a_q) * (special.digamma(a_p) + u)
        - (special.gammaln(a_p) - special.gammaln(a_q))
        + a_p * expm1mx(u)
    )


def _kl_gamma_gamma(p: Any, q: Any) -> np.ma.MaskedArray:
    a_p, loc_p, s_p = _gamma_params(p)
    a_q, loc_q, s_q = _gamma_params(q)
    return _when(loc_p == loc_q, _gamma_nats(a_p, s_p, a_q, s_q))


for _a in (stats.gamma, stats.expon, stats.chi2):
    for _b in (stats.gamma, stats.expon, stats.chi2):
        if not (_a is stats.expon and _b is stats.expon):
            register_kl(_a, _b)(_kl_gamma_gamma)


@register_kl(stats.invgamma, stats.invgamma)
def _kl_invgamma_invgamma(p: Any, q: Any) -> np.ma.MaskedArray:
    # 1 / (X - loc) is gamma(a, scale=1/s).
    (a_p,), loc_p, s_p = sa.parameters(p)
    (a_q,), loc_q, s_q = sa.parameters(q)
    return _when(loc_p == loc_q, _gamma_nats(a_p, 1.0 / s_p, a_q, 1.0 / s_q))


@register_kl(stats.weibull_min, stats.weibull_min)
def _kl_weibull_weibull(p: Any, q: Any) -> np.ma.MaskedArray:
    # Equal shape c and loc: ((X - loc)/1)^c is exponential with scale s^c,
    # so KL is that of two exponentials: e^u - 1 - u, u = c ln(s_p/s_q).
    (c_p,), loc_p, s_p = sa.parameters(p)
    (c_q,), loc_q, s_q = sa.parameters(q)
    value = expm1mx(c_p * log_ratio(s_p, s_q))
    return _when((c_p == c_q) & (loc_p == loc_q), value)


@register_kl(stats.pareto, stats.pareto)
def _kl_pareto_pareto(p: Any, q: Any) -> np.ma.MaskedArray:
    # Equal loc: log(X - loc) is exponential with loc log(s) and scale 1/b,
    # so KL = (e^w - 1 - w) + b_q log(s_p/s_q), w = log(b_q/b_p); s_p < s_q
    # is inf by the support check.
    (b_p,), loc_p, s_p = sa.parameters(p)
    (b_q,), loc_q, s_q = sa.parameters(q)
    value = expm1mx(log_ratio(b_q, b_p)) + b_q * log_ratio(s_p, s_q)
    return _when(loc_p == loc_q, value)


# --- other location-scale families -------------------------------------------


@register_kl(stats.beta, stats.beta)
def _kl_beta_beta(p: Any, q: Any) -> np.ma.MaskedArray:
    (a_p, b_p), loc_p, s_p = sa.parameters(p)
    (a_q, b_q), loc_q, s_q = sa.parameters(q)
    value = (
        (special.betaln(a_q, b_q) - special.betaln(a_p, b_p))
        + (a_p - a_q) * special.digamma(a_p)
        + (b_p - b_q) * special.digamma(b_p)
        + (a_q - a_p + b_q - b_p) * special.digamma(a_p + b_p)
    )
    return _when((loc_p == loc_q) & (s_p == s_q), value)


@register_kl(stats.uniform, stats.uniform)
def _kl_uniform_uniform(p: Any, q: Any) -> np.ndarray:
    # log(width_q / width_p) when p's interval is inside q's (else inf, by
    # the support check).
    _, _, w_p = sa.parameters(p)
    _, _, w_q = sa.parameters(q)
    return log_ratio(w_q, w_p)


@register_kl(stats.laplace, stats.laplace)
def _kl_laplace_laplace(p: Any, q: Any) -> np.ndarray:
    # log(b_q/b_p) + d/b_q + (b_p/b_q) exp(-d/b_p) - 1, d = |mu_p - mu_q|,
    # written as (e^w - 1 - w) + d (b_p - b_q)/(b_p b_q), w = ln(b_p/b_q) - d/b_p.
    _, m_p, b_p = sa.parameters(p)
    _, m_q, b_q = sa.parameters(q)
    d = np.abs(m_p - m_q)
    w = log_ratio(b_p, b_q) - d / b_p
    return expm1mx(w) + d * ((b_p - b_q) / (b_p * b_q))


@register_kl(stats.lognorm, stats.lognorm)
def _kl_lognorm_lognorm(p: Any, q: Any) -> np.ma.MaskedArray:
    # log(X - loc) is normal with mean log(scale) and standard deviation s.
    (s_p,), loc_p, sc_p = sa.parameters(p)
    (s_q,), loc_q, sc_q = sa.parameters(q)
    value = normal_nats(log_ratio(sc_p, sc_q), s_p, np.asarray(0.0), s_q)
    return _when(loc_p == loc_q, value)


def _gumbel_nats(m_p, b_p, m_q, b_q):  # type: ignore[no-untyped-def]
    # X = m_p + b_p G with G standard Gumbel (E G = Euler's gamma,
    # E exp(-t G) = Gamma(1 + t)); with r = b_p/b_q and d = (m_p - m_q)/b_q,
    # KL = -log r + d + gamma (r - 1) + exp(-d + lnGamma(1 + r)) - 1.
    r = b_p / b_q
    d = (m_p - m_q) / b_q
    return (
        -log_ratio(b_p, b_q)
        + d
        + _EULER * (r - 1.0)
        + np.expm1(-d + special.gammaln(1.0 + r))
    )


@register_kl(stats.gumbel_r, stats.gumbel_r)
def _kl_gumbel_r(p: Any, q: Any) -> np.ndarray:
    _, m_p, b_p = sa.parameters(p)
    _, m_q, b_q = sa.parameters(q)
    return _gumbel_nats(m_p, b_p, m_q, b_q)


@register_kl(stats.gumbel_l, stats.gumbel_l)
def _kl_gumbel_l(p: Any, q: Any) -> np.ndarray:
    # x -> -x maps gumbel_l(m, b) onto gumbel_r(-m, b).
    _, m_p, b_p = sa.parameters(p)
    _, m_q, b_q = sa.parameters(q)
    return _gumbel_nats(-m_p, b_p, -m_q, b_q)


@register_kl(stats.expon, stats.gumbel_r)
def _kl_expon_gumbel_r(p: Any, q: Any) -> np.ndarray:
    # -H(expon(l, s)) + log b + E(X - m)/b + E exp(-(X - m)/b), with
    # E exp(-X/b) = exp(-l/b) / (1 + s/b); overflows to inf when m - l >> b.
    _, loc, s = sa.parameters(p)
    _, m, b = sa.parameters(q)
    return (
        -1.0
        + log_ratio(b, s)
        + (loc + s - m) / b
        + np.exp((m - loc) / b - np.log1p(s / b))
    )


@register_kl(stats.cauchy, stats.cauchy)
def _kl_cauchy_cauchy(p: Any, q: Any) -> np.ndarray:
    # log(((g_p + g_q)^2 + d^2) / (4 g_p g_q)) (Chyzak and Nielsen, 2019),
    # as log1p(((g_p - g_q)^2 + d^2) / (4 g_p g_q)).
    _, m_p, g_p = sa.parameters(p)
    _, m_q, g_q = sa.parameters(q)
    return np.log1p(((g_p - g_q) ** 2 + (m_p - m_q) ** 2) / (4.0 * g_p * g_q))


# --- discrete families ------------------------------------------------------


@register_kl(stats.poisson, stats.poisson)
def _kl_poisson_poisson(p: Any, q: Any) -> np.ma.MaskedArray:
    (mu_p,), loc_p, _ = sa.parameters(p)
    (mu_q,), loc_q, _ = sa.parameters(q)
    return _when(loc_p == loc_q, kl_div(mu_p, mu_q))


def _kl_bernoulli(pr_p: np.ndarray, pr_q: np.ndarray) -> np.ndarray:
    # p log(p/q) + (1-p) log((1-p)/(1-q)): the -x + y terms of kl_div cancel.
    return kl_div(pr_p, pr_q) + kl_div(1.0 - pr_p, 1.0 - pr_q)


def _binom_params(d: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shapes, loc, _ = sa.parameters(d)
    if isinstance(d.dist, type(stats.bernoulli)):  # a subclass of binom_gen
        return np.asarray(1.0), shapes[0], loc
    return shapes[0], shapes[1], loc


@register_kl(stats.bernoulli, stats.bernoulli)
@register_kl(stats.binom, stats.binom)
def _kl_binom_binom(p: Any, q: Any) -> np.ma.MaskedArray:
    # n KL(Bernoulli(p) || Bernoulli(q)) for equal n; n_p > n_q is inf by the
    # support check, n_p < n_q is left to summation.
    n_p, pr_p, loc_p = _binom_params(p)
    n_q, pr_q, loc_q = _binom_params(q)
    value = np.where(n_p == 0.0, 0.0, n_p * _kl_bernoulli(pr_p, pr_q))
    return _when((loc_p == loc_q) & (n_p == n_q), value)


@register_kl(stats.geom, stats.geom)
def _kl_geom_geom(p: Any, q: Any) -> np.ma.MaskedArray:
    # KL(Bernoulli(p) || Bernoulli(q)) / p: each of the 1/p expected trials
    # contributes one Bernoulli divergence.
    (pr_p,), loc_p, _ = sa.parameters(p)
    (pr_q,), loc_q, _ = sa.parameters(q)
    return _when(loc_p == loc_q, _kl_bernoulli(pr_p, pr_q) / pr_p)


@register_kl(stats.nbinom, stats.nbinom)
def _kl_nbinom_nbinom(p: Any, q: Any) -> np.ma.MaskedArray:
    # Equal n: log(pmf_p/pmf_q)(k) = n log(p/q) + k log((1-p)/(1-q)) and
    # E k = n (1-p)/p, so KL = n KL(Bernoulli(p) || Bernoulli(q)) / p.
    (n_p, pr_p), loc_p, _ = sa.parameters(p)
    (n_q, pr_q), loc_q, _ = sa.parameters(q)
    value = n_p * _kl_bernoulli(pr_p, pr_q) / pr_p
    return _when((loc_p == loc_q) & (n_p == n_q), value)


# Euler-Maclaurin for zeta'(s) = -sum_k log(k) k^-s: the first _ZN - 1 terms,
# the integral from _ZN and two Bernoulli corrections; the neglected term is
# below 1e-13 relative for s > 1 (checked against mpmath in the tests).
_ZN = 30
_ZK = np.arange(1.0, _ZN)


def _zeta_log_sum(s: np.ndarray) -> np.ndarray:
    """sum_{k >= 1} log(k) k^-s for s > 1 (that is, -zeta'(s))."""
    s = np.asarray(s, dtype=np.float64)
    k = _ZK.reshape((-1,) + (1,) * s.ndim)
    n, ln = float(_ZN), math.log(_ZN)
    head = np.sum(np.log(k) * k**-s, axis=0)
    tail = n ** (1.0 - s) * (ln / (s - 1.0) + 1.0 / (s - 1.0) ** 2)
    f = ln * n**-s
    d1 = n ** (-s - 1.0) * (1.0 - s * ln)
    d3 = n ** (-s - 3.0) * (3.0 * s**2 + 6.0 * s + 2.0 - s * (s + 1.0) * (s + 2.0) * ln)
    return head + tail + 0.5 * f - d1 / 12.0 + d3 / 720.0


@register_kl(stats.zipf, stats.zipf)
def _kl_zipf_zipf(p: Any, q: Any) -> np.ma.MaskedArray:
    # pmf(k) = k^-a / zeta(a): KL = log(zeta(a_q)/zeta(a_p)) + (a_q - a_p) E log k,
    # E_p log k = -zeta'(a_p) / zeta(a_p).
    (a_p,), loc_p, _ = sa.parameters(p)
    (a_q,), loc_q, _ = sa.parameters(q)
    z_p = special.zeta(a_p, 1.0)
    value = (
        log_ratio(special.zeta(a_q, 1.0), z_p) + (a_q - a_p) * _zeta_log_sum(a_p) / z_p
    )
    return _when(loc_p == loc_q, value)


@register_kl(stats.dirichlet, stats.dirichlet)
def _kl_dirichlet_dirichlet(p: Any, q: Any) -> np.ndarray:
    a = finite_array(p.alpha, "p.alpha")
    b = finite_array(q.alpha, "q.alpha")
    if a.shape != b.shape:
        raise ValueError(
            f"`p` and `q` are Dirichlet distributions of different dimensions: "
            f"alpha shapes {a.shape} and {b.shape}"
        )
    a0, b0 = a.sum(axis=-1), b.sum(axis=-1)
    return (
        (special.gammaln(a0) - special.gammaln(b0))
        + (special.gammaln(b) - special.gammaln(a)).sum(axis=-1)
        + ((a - b) * (special.digamma(a) - special.digamma(a0)[..., None])).sum(axis=-1)
    )


# The pairs registered above, before any user registration.
from ._registry import _REGISTRY  # noqa: E402

BUILTIN_PAIRS = frozenset(_REGISTRY)
