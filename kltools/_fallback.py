"""Numerical KL divergence between univariate distributions without a closed form.

Continuous pairs: two independent double-exponential quadratures (Takahasi
and Mori, 1974), vectorised over array parameters, that must agree:

* **A**, over the probability scale of `p`: with :math:`x = F_p^{-1}(u)`,
  :math:`D = \\int_0^1 (\\log p - \\log q)(x(u))\\,du`, taken as two halves
  (``ppf`` below 1/2, ``isf`` above, so tail probabilities keep their
  precision) and split where `q`'s median falls. A density singular at an
  endpoint becomes a logarithmic singularity in u, which the tanh-sinh rule
  integrates to full accuracy; heavy tails become algebraic singularities
  :math:`u^{-\\beta}`, whose exponent decides whether the integral is finite
  (``beta < 1``) or ``inf``;
* **B**, over x: :math:`\\int p (\\log p - \\log q)\\,dx`, split at the medians of
  `p` and `q`, with tanh-sinh on finite pieces and exp-sinh on infinite
  ones (so tails are followed out to about 1e304 times the scale of `p`).

No piece is cut next to an endpoint. A result is returned only where A and
B agree to 1e-8 relative (1e-12 absolute); otherwise NotImplementedError.
Discrete pairs: summation over the support of `p` in growing blocks.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
from scipy import integrate, special

from . import _scipy_adapter as sa

__all__ = ["numeric_kl"]

_H = 2.0**-7  # finest step of the double-exponential rules
_ZMAX = 700.0  # tanh-sinh nodes reach exp(-700) ~ 1e-304 from an endpoint
_YMAX = 700.0  # exp-sinh nodes reach exp(+-700) times the scale
_RTOL = 1e-8  # agreement of the two quadratures
_ATOL = 1e-12
_SELF_RTOL = 1e-6  # each rule against itself at step 2h (a coarse sanity check)
# Tail exponent beta of the integrand in u near u = 0: finite below
# 1 - _BETA_BAND, inf above 1 + _BETA_BAND / 10, undecided between.
_BETA_BAND = 0.01
# Mass of p within rounding distance of a finite endpoint that can be left out.
_EDGE_MASS = 1e-10
# A zero of q's density counts as true (KL = inf) where q's cdf and sf
# there both exceed this; below it, -inf may be underflow.
_Q_TAIL = 1e-300
# Summation of a discrete p stops once p's remaining mass is below this, and
# gives up after _MAX_POINTS points.
_TAIL = 1e-18
_MAX_POINTS = 2**22
# Refuse an integration that scipy's evaluation speed says would take longer:
# about 7 ms per point, far above every scipy family (kstwo, the slowest, and
# a new-infrastructure Mixture on SciPy 1.15 cost 1-2 ms), so that the outcome
# of a call does not depend on how loaded the machine is.
_MAX_SECONDS = 120.0


def _grid(limit: float, inner: float) -> np.ndarray:
    """tau = j h with inner(tau) = pi/2 or pi times sinh(tau) up to `limit`."""
    top = math.asinh(limit / inner)
    j = int(top / _H)
    return np.arange(-j, j + 1) * _H


_TAU_TS = _grid(_ZMAX, math.pi)
_TAU_ES = _grid(_YMAX, math.pi / 2)
# Evaluations per element: both rules at steps h and 2h (what `_check_cost` prices).
_NODES = 4 * _TAU_TS.size + 3 * (_TAU_TS.size + _TAU_ES.size)


def _expand(tau: np.ndarray, ndim: int) -> np.ndarray:
    return tau.reshape((-1,) + (1,) * ndim)


def _tanh_sinh(lo: np.ndarray, hi: np.ndarray, ndim: int) -> tuple[np.ndarray, ...]:
    """Nodes of [lo, hi] as (offset from lo, offset from hi, log weight / h, left)."""
    tau = _expand(_TAU_TS, ndim)
    z = math.pi * np.sinh(tau)
    width = hi - lo
    left = tau <= 0.0
    d_lo = width * special.expit(z)
    d_hi = width * special.expit(-z)
    with np.errstate(divide="ignore"):
        logw = (
            np.log(width)
            + np.log(math.pi * np.cosh(tau))
            + special.log_expit(z)
            + special.log_expit(-z)
        )
    return d_lo, d_hi, logw, np.broadcast_to(left, d_lo.shape)


def _rule(logw: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of weights times values at steps h and 2h (nodes on axis 0)."""
    with np.errstate(all="ignore"):
        f = np.where(np.isneginf(logw), 0.0, np.exp(logw) * value)
    fine = _H * f.sum(axis=0)
    even = (np.arange(f.shape[0]) - f.shape[0] // 2) % 2 == 0
    coarse = 2.0 * _H * f[even].sum(axis=0)
    return fine, coarse


class _Refuse(Exception):
    """The integral cannot be computed reliably (message for the user)."""


def _log_ratio(
    p: Any, q: Any, x: Any, q_lo: Any, q_hi: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log p - log q at x, where q is truly zero, and where p's value is unsure.

    Points where p's log-density is -inf, +inf (an isolated singular point)
    or x is not finite give 0. A -inf of q's log-density where q's cdf or sf
    is below _Q_TAIL is returned as +inf (handled by the caller).
    """
    with np.errstate(all="ignore"):
        lp = sa.logpdf(p, x)
        lq = sa.logpdf(q, x)
        if np.isnan(lp[np.isfinite(x)]).any() or np.isnan(lq[np.isfinite(x)]).any():
            raise _Refuse("scipy's logpdf returned NaN inside the support of p")
        p_lo, p_hi = sa.support(p)
        # Nodes rounded onto p's endpoints carry no mass (an endpoint of a
        # density is a null set) and may sit in q's gap next to it.
        skip = ~((x > p_lo) & (x < p_hi)) | ~np.isfinite(lp) | (lq == np.inf)
        g = np.where(skip, 0.0, lp - lq)
        zero_q = ~skip & (lq == -np.inf)
        true_zero = np.zeros_like(zero_q)
        if zero_q.any():
            tail = np.minimum(sa.cdf(q, x), sa.sf(q, x))
            true_zero = zero_q & (tail > _Q_TAIL) & (x > q_lo) & (x < q_hi)
        # p's own log-density -inf inside its support: a zero of p, or (far
        # out) an overflow in scipy's formula (t's logpdf beyond 1e154).
        unknown = (x > p_lo) & (x < p_hi) & np.isfinite(x) & (lp == -np.inf)
    return g, true_zero, unknown


def _polish(p: Any, x: np.ndarray, t: np.ndarray, lower: bool) -> np.ndarray:
    """Refine quantiles x = F^-1(t) deep in a tail by Newton steps on log F.

    scipy's inverses are inaccurate deep in some tails (``t.isf`` below 1e-150
    in SciPy 1.17.1 is off by a factor of 3 in x) while its log-cdf and
    log-sf stay accurate. Steps are taken in y = log|x - r| (r the finite
    endpoint, else 0), where a power-law tail is linear; a step is kept only
    where it brings log F closer to log t.
    """
    log_f = sa.logcdf if lower else sa.logsf
    a, b = sa.support(p)
    r = np.where(np.isfinite(a if lower else b), a if lower else b, 0.0)
    target = np.log(t)
    sign_f = 1.0 if lower else -1.0
    with np.errstate(all="ignore"):
        miss = np.abs(log_f(p, x) - target)
        for _ in range(10):
            todo = np.isfinite(x) & (miss > 1e-12) & (t < 1e-20)
            if not todo.any():
                break
            lf, lp = log_f(p, x), sa.logpdf(p, x)
            d = np.abs(x - r)
            sign_x = np.sign(x - r)
            slope = sign_f * sign_x * d * np.exp(lp - lf)  # d log F / d log d
            step = np.clip((lf - target) / slope, -5.0, 5.0)
            x_new = r + sign_x * d * np.exp(-step)
            miss_new = np.abs(log_f(p, x_new) - target)
            better = todo & np.isfinite(miss_new) & (miss_new < miss)
            x = np.where(better, x_new, x)
            miss = np.where(better, miss_new, miss)
    return x


def _method_u(p: Any, q: Any, shape: tuple[int, ...], q_lo, q_hi, m_q):  # type: ignore[no-untyped-def]
    """Method A: over u = F_p(x); returns (value, error, inf mask, undecided mask)."""
    nd = len(shape)
    with np.errstate(all="ignore"):
        k_lo = np.broadcast_to(sa.cdf(p, m_q), shape)
        k_hi = np.broadcast_to(sa.sf(p, m_q), shape)
    k_lo = np.where((k_lo > 0.0) & (k_lo < 0.5), k_lo, 0.5)
    k_hi = np.where((k_hi > 0.0) & (k_hi < 0.5), k_hi, 0.5)
    half = np.full(shape, 0.5)
    total = np.zeros(shape)
    coarse = np.zeros(shape)
    inf = np.zeros(shape, dtype=bool)  # tail exponent >= 1
    zero = np.zeros(shape, dtype=bool)  # q truly zero where p has mass
    suspect = np.zeros(shape, dtype=bool)  # q underflowed where p has mass
    undecided = np.zeros(shape, dtype=bool)
    deep_inf = np.zeros(shape, dtype=bool)
    for inverse, prob, cut in ((sa.ppf, sa.cdf, k_lo), (sa.isf, sa.sf, k_hi)):
        for lo, hi, edge in ((np.zeros(shape), cut, True), (cut, half, False)):
            d_lo, d_hi, logw, left = _tanh_sinh(lo, hi, nd)
            t = np.where(left, lo + d_lo, hi - d_hi)
            with np.errstate(all="ignore"):
                x = inverse(p, t)
            if edge:
                x = _polish(p, x, t, lower=inverse is sa.ppf)
            g, true_zero, unknown = _log_ratio(p, q, x, q_lo, q_hi)
            zero |= true_zero.any(axis=0)
            live = ~np.isneginf(logw)
            if not edge:
                suspect |= ((g == np.inf) & live & (t >= 1e-100)).any(axis=0)
                deep_inf |= ((g == np.inf) & live & (t < 1e-100)).any(axis=0)
            else:
                with np.errstate(all="ignore"):
                    # scipy's inverses lose accuracy deep in some tails (t.isf
                    # below 1e-150 in SciPy 1.17): trust nodes whose round trip
                    # F(x) = t holds, and only from the deepest such run on.
                    trip = np.abs(prob(p, x) / t - 1.0) <= 1e-6
                untrusted = (
                    left
                    & ~(trip & np.isfinite(x) & (g < np.inf) & ~unknown)
                    & (t < 1e-20)
                )
                last_bad = np.where(
                    untrusted.any(axis=0),
                    untrusted.shape[0] - 1 - np.argmax(untrusted[::-1], axis=0),
                    -1,
                )
                idx = np.arange(t.shape[0]).reshape((-1,) + (1,) * nd)
                i2 = last_bad + 1
                # On a node of the step-2h grid too, so that both rules cut
                # the same integral there.
                i2 = i2 + (i2 - t.shape[0] // 2) % 2
                with np.errstate(all="ignore"):
                    t2 = np.take_along_axis(t, i2[None], axis=0)[0]
                    g2 = np.take_along_axis(g, i2[None], axis=0)[0]
                    target = 0.5 * np.log(t2 / np.maximum(hi, 1e-300)) + np.log(
                        np.maximum(hi, 1e-300)
                    )
                    score = np.where(
                        left & (idx > i2), np.abs(np.log(t) - target), np.inf
                    )
                i1 = np.argmin(score, axis=0)
                t1 = np.take_along_axis(t, i1[None], axis=0)[0]
                g1 = np.take_along_axis(g, i1[None], axis=0)[0]
                deep = t2 < 1e-60
                suspect |= ((g == np.inf) & live & (idx > i2) & (t >= 1e-100)).any(
                    axis=0
                )
                with np.errstate(all="ignore"):
                    beta = np.log(g2 / g1) / np.log(t1 / t2)
                    grows = deep & (
                        (g2 == np.inf) | ((g1 > 0) & (beta >= 1.0 + _BETA_BAND / 10))
                    )
                    unsure = deep & ~grows & (g1 > 0) & (beta > 1.0 - _BETA_BAND)
                    ok = (
                        (g1 > 0)
                        & (g2 > 0)
                        & (beta < 1.0 - _BETA_BAND)
                        & np.isfinite(g2)
                    )
                    # Mass below node i2: C t2^(1 - beta) / (1 - beta).
                    beyond = np.where(ok, t2 * g2 / (1.0 - beta), 0.0)
                inf |= grows
                undecided |= unsure
                # Where the trusted nodes stop short of t ~ 1e-60, the part
                # left out is unknown: let the comparison with method B judge.
                # The trapezoid sum then starts at node i2, with half its weight.
                inner = idx < i2
                g = np.where(inner, 0.0, g)
                logw = np.where(
                    inner, -np.inf, np.where(idx == i2, logw + math.log(0.5), logw)
                )
                total += beyond
                coarse += beyond
            g = np.where(g == np.inf, 0.0, g)
            fine, c = _rule(logw, g)
            total += fine
            coarse += c
    if ((suspect | (deep_inf & ~inf)) & ~zero).any():
        raise _Refuse(
            "the log-density of q underflows to -inf where p has mass "
            "(scipy computes it as the log of an underflowing density), "
            "so the divergence is huge or infinite but not computable here"
        )
    inf |= zero
    return total, np.abs(total - coarse), inf, undecided


def _exp_sinh(edge: np.ndarray, s: np.ndarray, sign: float, nd: int):  # type: ignore[no-untyped-def]
    """Nodes x = edge + sign * s * exp(pi/2 sinh tau) and log weights / h."""
    tau = _expand(_TAU_ES, nd)
    y = 0.5 * math.pi * np.sinh(tau)
    x = edge + sign * s * np.exp(y)
    logw = np.log(s) + y + np.log(0.5 * math.pi * np.cosh(tau))
    return x, logw


def _method_x(p: Any, q: Any, shape: tuple[int, ...], q_lo, q_hi, m_q):  # type: ignore[no-untyped-def]
    """Method B: over x, split at the medians of p and q."""
    nd = len(shape)
    a, b = (np.broadcast_to(v, shape) for v in sa.support(p))
    with np.errstate(all="ignore"):
        m_p = np.broadcast_to(sa.median(p), shape)
        m_q = np.broadcast_to(m_q, shape)
        m_q = np.where((m_q > a) & (m_q < b), m_q, m_p)
        c1, c2 = np.minimum(m_p, m_q), np.maximum(m_p, m_q)
        spread = np.broadcast_to(sa.isf(p, 0.25) - sa.ppf(p, 0.25), shape)
    s = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    total = np.zeros(shape)
    coarse = np.zeros(shape)
    inf = np.zeros(shape, dtype=bool)
    pieces = ((a, c1, -1.0), (c1, c2, 0.0), (c2, b, 1.0))
    for lo, hi, side in pieces:
        d_lo, d_hi, logw_f, left = _tanh_sinh(
            np.where(np.isfinite(lo), lo, 0.0), np.where(np.isfinite(hi), hi, 0.0), nd
        )
        x_f = np.where(left, lo + d_lo, hi - d_hi)
        parts: list[tuple[Any, Any, Any, Any]] = [
            (x_f, logw_f, np.isfinite(lo) & np.isfinite(hi), None)
        ]
        if side != 0.0:
            edge = hi if side < 0 else lo
            x_e, logw_e = _exp_sinh(edge, s, side, nd)
            open_end = ~np.isfinite(lo if side < 0 else hi)
            parts.append((x_e, logw_e, open_end, edge))
        for x, logw, use, edge in parts:
            if not np.any(use):
                continue
            with np.errstate(all="ignore"):
                xx = np.where(use, x, np.broadcast_to(m_p, x.shape))
                lp = sa.logpdf(p, xx)
            g, true_zero, unknown = _log_ratio(p, q, xx, q_lo, q_hi)
            inf |= (true_zero & use).any(axis=0)
            with np.errstate(all="ignore"):
                lw = np.where(
                    use, logw + np.where(np.isfinite(lp), lp, -np.inf), -np.inf
                )
            far = (g == np.inf) & ~np.isneginf(lw)
            if edge is not None:
                far |= unknown & use
            g = np.where(g == np.inf, 0.0, g)
            has_far = far.any(axis=0)
            if edge is not None and has_far.any():
                # q's log-density overflowed to -inf far out in an infinite
                # tail (-x^2/2 beyond 1e154): stop at the last node before,
                # on the step-2h grid, and add the power-law tail beyond it,
                # F(r_e) / gamma with F = r p g ~ r^-gamma, r = |x - edge|.
                idx = np.arange(x.shape[0]).reshape((-1,) + (1,) * nd)
                ie = np.argmax(far, axis=0) - 1
                ie = ie - (ie - x.shape[0] // 2) % 2
                ie = np.maximum(ie, 0)
                r = np.abs(x - edge)
                with np.errstate(all="ignore"):
                    logf = (
                        np.log(r)
                        + np.where(np.isfinite(lp), lp, -np.inf)
                        + np.log(np.abs(g))
                    )
                    sign_e = np.sign(np.take_along_axis(g, ie[None], axis=0)[0])
                    lr_e = np.take_along_axis(np.log(r), ie[None], axis=0)[0]
                    score = np.where(
                        idx < ie, np.abs(np.log(r) - (lr_e - 50.0)), np.inf
                    )
                    i1 = np.argmin(score, axis=0)
                    lf_e = np.take_along_axis(logf, ie[None], axis=0)[0]
                    lf_1 = np.take_along_axis(logf, i1[None], axis=0)[0]
                    lr_1 = np.take_along_axis(np.log(r), i1[None], axis=0)[0]
                    gamma = (lf_1 - lf_e) / (lr_e - lr_1)
                    # Negligible where the integrand has already died out
                    # (light tails: -x^2/2 overflowing against a normal p).
                    small = np.exp(lf_e) <= 1e-15 * np.maximum(1.0, np.abs(total))
                    beyond = np.where(
                        small,
                        0.0,
                        np.where(gamma > 0.01, sign_e * np.exp(lf_e) / gamma, np.nan),
                    )
                cut = has_far & (idx > ie)
                lw = np.where(
                    cut,
                    -np.inf,
                    np.where(has_far & (idx == ie), lw + math.log(0.5), lw),
                )
                total += np.where(has_far, beyond, 0.0)
                coarse += np.where(has_far, beyond, 0.0)
            fine, c = _rule(lw, g)
            total += fine
            coarse += c
    return total, np.abs(total - coarse), inf


def _edge_mass(p: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Mass of p within one rounding step of its finite endpoints."""
    a, b = sa.support(p)
    with np.errstate(all="ignore"):
        lo = np.where(np.isfinite(a), sa.cdf(p, np.nextafter(a, np.inf)), 0.0)
        hi = np.where(np.isfinite(b), sa.sf(p, np.nextafter(b, -np.inf)), 0.0)
        # scipy's cdf can underflow there (chi2 with df near 0 in SciPy 1.17):
        # a quantile that rounds onto the endpoint says the same thing.
        lo = np.where(np.isfinite(a) & (sa.ppf(p, _EDGE_MASS) <= a), 1.0, lo)
        hi = np.where(np.isfinite(b) & (sa.isf(p, _EDGE_MASS) >= b), 1.0, hi)
    return np.broadcast_to(
        np.nan_to_num(lo, nan=1.0) + np.nan_to_num(hi, nan=1.0), shape
    )


def _method_quadpack(p: Any, q: Any, q_lo: float, q_hi: float, m_q: float):  # type: ignore[no-untyped-def]
    """Method A for a scalar p whose family has no quantile function of its own.

    scipy would invert p's cdf by root finding at every node of method A, so
    adaptive Gauss-Kronrod quadrature (QUADPACK) over x takes its place: the
    pieces of method B (no cut next to an endpoint), infinite tails in units
    of p's spread. Returns (value, error estimate, inf flag).
    """
    a, b = (float(v) for v in sa.support(p))
    m_p = float(sa.median(p))
    m = m_q if a < m_q < b else m_p
    c1, c2 = min(m_p, m), max(m_p, m)
    spread = float(sa.isf(p, np.float64(0.25)) - sa.ppf(p, np.float64(0.25)))
    s = spread if math.isfinite(spread) and spread > 0 else 1.0
    zero_hit: list[bool] = []

    def f(x: float) -> float:
        if not a < x < b:
            return 0.0
        g, true_zero, _ = _log_ratio(p, q, np.float64(x), q_lo, q_hi)
        if bool(true_zero):
            zero_hit.append(True)
            return 0.0
        lp = float(sa.logpdf(p, np.float64(x)))
        if float(g) == math.inf:
            raise _Refuse(
                "the log-density of q underflows to -inf where p has mass "
                "(scipy computes it as the log of an underflowing density), "
                "so the divergence is huge or infinite but not computable here"
            )
        return 0.0 if not math.isfinite(lp) else math.exp(lp) * float(g)

    total, error = 0.0, 0.0
    for lo, hi in ((a, c1), (c1, c2), (c2, b)):
        if not lo < hi:
            continue
        if math.isinf(lo) or math.isinf(hi):
            edge, sign = (hi, -1.0) if math.isinf(lo) else (lo, 1.0)

            def func(u: float, edge: float = edge, sign: float = sign) -> float:
                return s * f(edge + sign * s * u)

            lo_t, hi_t = 0.0, math.inf
        else:
            func, lo_t, hi_t = f, lo, hi  # type: ignore[assignment]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            value, err = integrate.quad(
                func, lo_t, hi_t, epsabs=1e-14, epsrel=1e-11, limit=200
            )
        total += value
        error += err
    return np.float64(total), np.float64(error), bool(zero_hit)


def _check_cost(p: Any, q: Any, shape: tuple[int, ...], name: str, hint: str) -> None:
    """Refuse up front when scipy's functions are too slow for the node count.

    64 probe points give the cost per point; the faster of two probes is
    used. The threshold (`_MAX_SECONDS`) sits far above every scipy family,
    so only a distribution that costs milliseconds per point is refused.
    """
    probe = np.linspace(0.05, 0.95, 64).reshape((-1,) + (1,) * len(shape))
    elements = max(1, int(np.prod(shape)))
    seconds = estimate = math.inf
    for _ in range(2):  # the faster of two: a first call may warm caches up
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            x = (
                sa.ppf(p, probe)
                if sa.has_own_ppf(p)
                else np.broadcast_to(sa.median(p), probe.shape)
            )
            sa.logpdf(p, x)
            sa.logpdf(q, x)
            sa.cdf(p, x)
        seconds = min(seconds, time.perf_counter() - start)
        estimate = seconds / x.size * _NODES * elements
        if estimate <= _MAX_SECONDS:
            return
    raise NotImplementedError(
        f"integrating {name} would take about {estimate:.0f} s: scipy's "
        f"functions for {sa.name(p)} cost {seconds / x.size * 1e6:.0f} µs per point"
        + hint
    )


def _quadrature(p: Any, q: Any, shape: tuple[int, ...]) -> np.ndarray:
    name = f"KL({sa.name(p)} || {sa.name(q)})"
    hint = "; estimate it with kltools.kl_monte_carlo or register a closed form with kltools.register_kl"
    mass = _edge_mass(p, shape)
    if (mass > _EDGE_MASS).any():
        raise NotImplementedError(
            f"cannot integrate {name}: p has mass above {_EDGE_MASS:g} within "
            "rounding distance of an endpoint of its support" + hint
        )
    q_lo, q_hi = sa.support(q)
    with np.errstate(all="ignore"):
        m_q = sa.median(q)
    _check_cost(p, q, shape, name, hint)
    try:
        with np.errstate(all="ignore"):
            if sa.has_own_ppf(p):
                val_a, err_a, inf_a, undecided = _method_u(p, q, shape, q_lo, q_hi, m_q)
            else:  # scalar here (numeric_kl passes one element at a time)
                val_a, err_a, hit = _method_quadpack(
                    p, q, float(q_lo), float(q_hi), float(m_q)
                )
                inf_a, undecided = np.bool_(hit), np.bool_(False)
            val_b, err_b, _ = _method_x(p, q, shape, q_lo, q_hi, m_q)
    except _Refuse as exc:
        raise NotImplementedError(f"cannot integrate {name}: {exc}" + hint) from None
    if undecided.any():
        raise NotImplementedError(
            f"cannot decide whether {name} is finite: the integrand decays in "
            "the tail of p about as 1/|x|, at the border of integrability" + hint
        )
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(val_a), np.abs(val_b))
        agree = np.abs(val_a - val_b) <= _RTOL * scale + _ATOL
        steady = (err_a <= _SELF_RTOL * scale + 1e-10) & (
            err_b <= _SELF_RTOL * scale + 1e-10
        )
    finite_ok = ~inf_a & agree & steady & np.isfinite(val_a) & (val_a > -_ATOL)
    bad = ~inf_a & ~finite_ok
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0]) if bad.ndim else ()
        raise NotImplementedError(
            f"cannot integrate {name} reliably"
            + (f" (parameters at index {i})" if i else "")
            + f": two quadratures give {float(val_a[i]):.12g} and "
            f"{float(val_b[i]):.12g}" + hint
        )
    value = np.where(err_a <= err_b, val_a, val_b)
    return np.where(inf_a, np.inf, np.maximum(value, 0.0))


def _summation(p: Any, q: Any) -> float:
    """KL(p || q) in nats for scalar discrete p, q by summing over p's support."""
    name = f"KL({sa.name(p)} || {sa.name(q)})"
    q_lo, q_hi = (float(v) for v in sa.support(q))
    with np.errstate(all="ignore"):
        xk = getattr(getattr(p, "dist", None), "xk", None)
        a, b = (float(v) for v in sa.support(p))
        if xk is not None:  # rv_discrete(values=...): finitely many points
            _, loc, _ = sa.parameters(p)
            blocks: list[np.ndarray] | None = [
                np.asarray(xk, dtype=np.float64) + float(loc)
            ]
            start = a
        else:
            blocks = None
            start = a
            low = float(sa.ppf(p, np.float64(_TAIL)))
            # Skip p's negligible lower tail only when it is long.
            if not math.isfinite(a) or (math.isfinite(low) and low - a > 2**20):
                start = low
            if not math.isfinite(start):
                raise NotImplementedError(
                    f"cannot bound the support of p for summing {name}; "
                    "estimate it with kltools.kl_monte_carlo instead"
                )
        total, size, done = 0.0, 1024, 0
        prev: tuple[float, float] | None = None
        while True:
            if blocks is not None:
                x = blocks[0]
            else:
                x = start + np.arange(min(size, b - start + 1))
            lp = sa.logpdf(p, x)
            lq = sa.logpdf(q, x)
            if np.isnan(lp).any() or np.isnan(lq).any():
                raise NotImplementedError(
                    f"cannot sum {name}: scipy's logpmf returned NaN on the support of p"
                )
            mass = lp > -np.inf
            zero_q = mass & (lq == -np.inf)
            if zero_q.any():
                tail = np.minimum(sa.cdf(q, x[zero_q]), sa.sf(q, x[zero_q] - 1.0))
                inside = (x[zero_q] > q_lo) & (x[zero_q] < q_hi)
                if ((tail > _Q_TAIL) | ~inside).any():
                    return math.inf
                raise NotImplementedError(
                    f"cannot sum {name}: the log-pmf of q underflows to -inf "
                    "where p has mass; estimate it with kltools.kl_monte_carlo "
                    "or register a closed form"
                )
            total += float(np.sum(np.exp(lp[mass]) * (lp[mass] - lq[mass])))
            done += x.size
            last = float(x[-1])
            if (
                blocks is not None
                or last >= b
                or float(sa.sf(p, np.float64(last))) <= _TAIL
            ):
                if total < -_ATOL:
                    raise NotImplementedError(
                        f"summing {name} gave {total!r} < 0: rounding in scipy's "
                        "logpmf; estimate it with kltools.kl_monte_carlo"
                    )
                return max(total, 0.0)
            if done >= _MAX_POINTS:
                raise NotImplementedError(
                    f"summing {name} over {done} points left mass "
                    f"{float(sa.sf(p, np.float64(last))):.3g} of p; the tail is too "
                    "heavy: estimate it with kltools.kl_monte_carlo or register a "
                    "closed form with kltools.register_kl"
                )
            sf_last = float(sa.sf(p, np.float64(last)))
            if done >= 2**16 and prev is not None and sf_last > 0.0:
                # A power-law tail sf ~ x^-alpha from two block ends predicts
                # where the mass left falls below _TAIL: refuse early if beyond.
                alpha = math.log(prev[1] / sf_last) / math.log(last / prev[0])
                if (
                    alpha <= 0
                    or last * (sf_last / _TAIL) ** (1 / alpha) > _MAX_POINTS + a
                ):
                    raise NotImplementedError(
                        f"cannot sum {name}: p's tail (mass {sf_last:.3g} left after "
                        f"{done} points, decaying as x^-{alpha:.3g}) is too heavy to "
                        "sum to 1e-18; estimate it with kltools.kl_monte_carlo or "
                        "register a closed form with kltools.register_kl"
                    )
            prev = (last, sf_last)
            start = last + 1.0
            size = min(2 * size, 2**20)


def numeric_kl(p: Any, q: Any, shape: tuple[int, ...], todo: np.ndarray) -> np.ndarray:
    """KL(p || q) in nats at the elements `todo` of the broadcast `shape`."""
    if sa.is_discrete(p):
        if sa.kind(p, "p") == "new" or sa.kind(q, "q") == "new":
            if shape != ():
                raise NotImplementedError(
                    "summation for new-infrastructure discrete distributions "
                    "with array parameters is not implemented; loop over them"
                )
            return np.array([_summation(p, q)])
        return np.array(
            [
                _summation(sa.element(p, i, shape), sa.element(q, i, shape))
                for i in zip(*np.nonzero(todo), strict=True)
            ]
            if shape
            else [_summation(p, q)]
        )
    if sa.kind(p, "p") == "frozen" and sa.kind(q, "q") == "frozen":
        if not sa.has_own_ppf(p):  # QUADPACK, one element at a time
            return np.array(
                [
                    float(
                        _quadrature(
                            sa.element(p, i, shape), sa.element(q, i, shape), ()
                        )
                    )
                    for i in (zip(*np.nonzero(todo), strict=True) if shape else [()])
                ]
            )
        if shape and not todo.all():  # only the elements asked for
            p, q = sa.subset(p, shape, todo), sa.subset(q, shape, todo)
            return np.asarray(_quadrature(p, q, (int(todo.sum()),)))
    return np.broadcast_to(_quadrature(p, q, shape), shape)[todo]
