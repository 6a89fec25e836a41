"""KL divergence between frozen `scipy.stats` distributions.

Closed forms live in a registry keyed by pairs of distribution classes
(``type(scipy.stats.norm)``, ...), filled with `register_kl`, in the spirit
of ``torch.distributions.kl.register_kl``. Pairs without a closed form fall
back to adaptive quadrature (continuous) or summation (discrete) in one
dimension.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import integrate, special, stats
from scipy.stats._distn_infrastructure import rv_discrete, rv_frozen, rv_generic
from scipy.stats._multivariate import multi_rv_frozen, multi_rv_generic

from ._closed_form import (
    expm1mx,
    kl_div,
    log_ratio,
    mvnormal_nats,
    normal_nats,
)
from ._validation import finish_nats, finite_array, log_base

__all__ = ["kl_between", "register_kl"]

KLFunction = Callable[[Any, Any], Any]

_REGISTRY: dict[tuple[type, type], KLFunction] = {}
_METHODS = ("auto", "closed", "numeric")

# Quadrature tolerances: well inside the 1e-7 agreement with closed forms
# that the tests require, and attainable in double precision.
_EPSABS = 1e-12
_EPSREL = 1e-10
# Pieces where quad reports trouble (often roundoff on tiny pieces next to
# a singular density) are accepted while the total estimated error stays
# below this fraction of the result.
_ACCEPT_REL = 1e-9
_CUT_PROBS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.25, 0.5]
# Tail probability of the far point used to detect divergent integrals, and
# the share of the result above which its tail estimate raises a warning.
_FAR = 1e-15
_FAR_REL = 1e-6
# q's log-density can be -inf where q is positive: scipy computes some
# (laplace, pareto, uniform, ...) as log(pdf), which underflows in the tails.
# Where p's density is below exp(_LOG_NEGLIGIBLE) = 1e-100 such points are
# dropped silently; elsewhere a -inf counts as underflow (dropped, with a
# warning) when q's cdf or sf there is below _Q_TAIL, and as a true zero of
# q (KL = inf) otherwise, e.g. a gap inside q's support.
_LOG_NEGLIGIBLE = math.log(1e-100)
_Q_TAIL = 1e-300
# Summation of a discrete p stops once p's remaining mass is below this;
# the neglected terms are about this mass times log(p/q) there.
_TAIL = 1e-18
# Summation gives up after this many support points (heavy tails).
_MAX_POINTS = 10**8


# --- the registry ---------------------------------------------------------


def _as_family(x: object, name: str) -> type:
    if isinstance(x, type) and issubclass(x, (rv_generic, multi_rv_generic)):
        return x
    if isinstance(x, (rv_generic, multi_rv_generic)):
        return type(x)
    raise TypeError(
        f"`{name}` must be a scipy.stats distribution such as scipy.stats.norm "
        f"(or its class), got {x!r}"
    )


def register_kl(type_p: object, type_q: object) -> Callable[[KLFunction], KLFunction]:
    """Register a closed-form KL divergence for a pair of distribution families.

    Use it as a decorator on a function ``fn(p, q)`` that takes two frozen
    distributions and returns :math:`D_{\\mathrm{KL}}(p \\| q)` in nats.

    Parameters
    ----------
    type_p, type_q : scipy.stats distribution or class
        The families of `p` and `q`: a distribution object such as
        ``scipy.stats.gamma`` or ``scipy.stats.multivariate_normal``, or its
        class (``type(scipy.stats.gamma)``, or the class of your own
        ``rv_continuous`` subclass).

    Returns
    -------
    callable
        A decorator that registers its function and returns it unchanged.

    Raises
    ------
    TypeError
        If `type_p` or `type_q` is not a scipy.stats distribution or class,
        or the decorated object is not callable.

    See Also
    --------
    kl_between : uses the registered functions.

    Notes
    -----
    The function receives the frozen distributions as given to
    `kl_between`, possibly with array parameters; it should return a value
    or array broadcast over all of their parameters (nats, vectorised).
    Two ways to decline:

    * return ``NotImplemented`` to decline the whole call;
    * return ``nan`` for the elements where the formula does not apply (for
      example unequal `loc`), and only those are computed otherwise.

    `kl_between` then uses the numerical fallback, or raises
    `NotImplementedError` with ``method="closed"``. Before calling it,
    `kl_between` already returns ``inf`` where the support of `p` is not
    inside that of `q` (univariate case), and it clamps tiny negative
    rounding to 0 and converts units for the `base` argument.

    Lookup follows the class hierarchy as ``torch.distributions`` does: for
    the classes of `p` and `q`, the registered pair whose classes are
    nearest in the two method resolution orders (smallest sum of
    positions) wins. A later registration of the same pair replaces the
    earlier one, including the built-in pairs.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from kltools import kl_between, register_kl
    >>> @register_kl(stats.rayleigh, stats.rayleigh)
    ... def _kl_rayleigh(p, q):
    ...     r = p.std() / q.std()  # the ratio of the scales
    ...     same_loc = p.support()[0] == q.support()[0]
    ...     # nan where the locs differ: those are integrated numerically
    ...     return np.where(same_loc, r**2 - 1 - 2 * np.log(r), np.nan)
    >>> round(kl_between(stats.rayleigh(scale=1), stats.rayleigh(scale=2)), 6)
    0.636294
    """
    tp = _as_family(type_p, "type_p")
    tq = _as_family(type_q, "type_q")

    def decorator(fn: KLFunction) -> KLFunction:
        if not callable(fn):
            raise TypeError(f"register_kl must decorate a function, got {fn!r}")
        _REGISTRY[(tp, tq)] = fn
        return fn

    return decorator


def _family(d: object) -> type:
    if isinstance(d, rv_frozen):
        return type(d.dist)
    dist = getattr(d, "_dist", None)
    if isinstance(dist, multi_rv_generic):
        return type(dist)
    return type(d)


def _lookup(tp: type, tq: type) -> KLFunction | None:
    best: tuple[int, KLFunction] | None = None
    for i, a in enumerate(tp.__mro__):
        for j, b in enumerate(tq.__mro__):
            fn = _REGISTRY.get((a, b))
            if fn is not None and (best is None or i + j < best[0]):
                best = (i + j, fn)
    return None if best is None else best[1]


def _name(d: object) -> str:
    if isinstance(d, rv_frozen):
        return str(d.dist.name)
    return _family(d).__name__.removesuffix("_gen")


# --- parameters of frozen univariate distributions ------------------------


def _params(d: rv_frozen) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Shape parameters, loc and scale of `d` as float arrays (unbroadcast)."""
    shapes, loc, scale = d.dist._parse_args(*d.args, **d.kwds)
    return (
        [np.asarray(s, dtype=np.float64) for s in shapes],
        np.asarray(loc, dtype=np.float64),
        np.asarray(scale, dtype=np.float64),
    )


def _check_params(d: rv_frozen, name: str) -> tuple[int, ...]:
    """Raise if `d`'s parameters are invalid; return their broadcast shape."""
    shapes, loc, scale = _params(d)
    arrays = [*shapes, loc, scale]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise ValueError(f"the parameters of `{name}` do not broadcast") from None
    with np.errstate(all="ignore"):
        ok = np.asarray(d.dist._argcheck(*shapes), dtype=bool) & (scale > 0.0)
        for a in arrays:
            ok = ok & np.isfinite(a)
    if not ok.all():
        raise ValueError(
            f"`{name}` has invalid parameters for scipy.stats.{d.dist.name} "
            f"(args={d.args}, kwds={d.kwds})"
        )
    return shape


def _element(d: rv_frozen, index: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    """The scalar distribution at `index` of `d` broadcast to `shape`."""
    shapes, loc, scale = _params(d)
    if all(a.ndim == 0 for a in (*shapes, loc, scale)):
        return d
    args = [float(np.broadcast_to(s, shape)[index]) for s in shapes]
    loc_i = float(np.broadcast_to(loc, shape)[index])
    if isinstance(d.dist, rv_discrete):
        return d.dist(*args, loc=loc_i)
    scale_i = float(np.broadcast_to(scale, shape)[index])
    return d.dist(*args, loc=loc_i, scale=scale_i)


# --- the numerical fallback -----------------------------------------------


class _Infinite(Exception):
    """p has positive density where q has none."""


def _in_far_tail(q: Any, x: np.ndarray) -> np.ndarray:
    """Where `x` lies inside q's support but in a tail of mass < _Q_TAIL."""
    with np.errstate(all="ignore"):
        lo, hi = (float(v) for v in q.support())
        tail = np.minimum(q.cdf(x), q.sf(x))
        return (x > lo) & (x < hi) & (tail < _Q_TAIL)


def _warn_underflow(p: Any, q: Any, x: float, lp: float) -> None:
    warnings.warn(
        f"the log-density of q ({_name(q)}) underflowed to -inf at x = {x:.6g} "
        f"in its far tail, where p ({_name(p)}) has log-density {lp:.4g}; "
        "such points were left out, so the result may be too small (even "
        "finite instead of inf). Register a closed form with register_kl or "
        "use kl_monte_carlo to check it.",
        integrate.IntegrationWarning,
        stacklevel=5,
    )


def _quadrature(p: Any, q: Any) -> float:
    """KL(p || q) in nats for scalar continuous p, q by adaptive quadrature."""
    a, b = (float(v) for v in p.support())
    with np.errstate(all="ignore"):
        # Cut at decades of p's tail probability so that each piece holds
        # mass of one order and quad resolves endpoint singularities.
        cuts = [
            *np.atleast_1d(p.ppf(_CUT_PROBS)),
            *np.atleast_1d(p.isf(_CUT_PROBS)),
            float(q.median()),
        ]
    points = sorted({float(c) for c in cuts if np.isfinite(c) and a < c < b})
    edges = [a, *points, b]

    underflow: list[tuple[float, float]] = []

    def integrand(x: float) -> float:
        if not a < x < b:
            return 0.0  # a node rounded onto the boundary: measure zero
        lp = float(p.logpdf(x))
        if lp == -math.inf:
            return 0.0  # p = 0 contributes nothing, whatever q is
        lq = float(q.logpdf(x))
        if math.isnan(lp) or math.isnan(lq):
            raise ValueError(f"logpdf returned NaN at x = {x!r}")
        if lq == -math.inf:
            if lp < _LOG_NEGLIGIBLE:
                return 0.0  # q's density underflowed where p is negligible
            if _in_far_tail(q, np.float64(x)):
                if not underflow:
                    underflow.append((x, lp))
                return 0.0
            raise _Infinite
        if lp == math.inf or lq == math.inf:
            return 0.0  # an isolated singular point: measure zero
        return math.exp(lp) * (lp - lq)

    with np.errstate(all="ignore"):
        mid = float(p.median())
    total, error, failures = 0.0, 0.0, []
    with np.errstate(all="ignore"):
        for lo, hi in itertools.pairwise(edges):
            func, lo_t, hi_t = integrand, lo, hi
            if math.isinf(lo) != math.isinf(hi):
                # quad maps an infinite range onto (0, 1] at unit scale; a
                # tail starting at 3e5 (Cauchy) would fall into a sliver of
                # that. Measure the tail in units of its distance from the
                # median instead: x = edge +/- width * t, t in [0, inf).
                edge = hi if math.isinf(lo) else lo
                sign = -1.0 if math.isinf(lo) else 1.0
                width = abs(edge - mid) if math.isfinite(mid) else 0.0
                width = width if width > 0.0 else 1.0

                def func(t, edge=edge, sign=sign, width=width):
                    return width * integrand(edge + sign * width * t)

                lo_t, hi_t = 0.0, math.inf
            try:
                out = integrate.quad(
                    func,
                    lo_t,
                    hi_t,
                    epsabs=_EPSABS,
                    epsrel=_EPSREL,
                    limit=200,
                    full_output=1,
                )
            except _Infinite:
                return math.inf
            total += out[0]
            error += out[1]
            if len(out) > 3:  # quad's failure message
                failures.append(out[3].splitlines()[0])
    # quad returns a finite number, even a negative one, for some divergent
    # integrals (a Cauchy p against a normal q). Far out in an infinite tail,
    # |x - median| times the integrand estimates what lies beyond: tiny when
    # the integral converges, of order one or more when it diverges. A KL
    # integral can only diverge to +inf (its negative part is at most 1).
    with np.errstate(all="ignore"):
        far = [float(p.ppf(_FAR)) if a == -math.inf else math.nan]
        far.append(float(p.isf(_FAR)) if b == math.inf else math.nan)
    for x in far:
        if not math.isfinite(x) or not a < x < b:
            continue
        try:
            beyond = abs(integrand(x) * (x - mid))
        except _Infinite:
            return math.inf
        if beyond > _FAR_REL * max(1.0, abs(total)):
            warnings.warn(
                f"the integrand of KL({_name(p)} || {_name(q)}) does not decay "
                f"in the tail of p (at x = {x:.3g}), so the integral appears "
                "to diverge: returning inf",
                integrate.IntegrationWarning,
                stacklevel=4,
            )
            return math.inf
    if underflow:
        _warn_underflow(p, q, *underflow[0])
    elif failures and error > max(_ACCEPT_REL * abs(total), _EPSABS):
        warnings.warn(
            f"quadrature of KL({_name(p)} || {_name(q)}) may be inaccurate: "
            f"estimated error {error:.2g} on {total:.10g} ({failures[0]})",
            integrate.IntegrationWarning,
            stacklevel=4,
        )
    return total


def _summation(p: Any, q: Any) -> float:
    """KL(p || q) in nats for scalar discrete p, q by summing over p's support."""
    with np.errstate(all="ignore"):
        xk = getattr(p.dist, "xk", None)
        if xk is not None:  # rv_discrete(values=...): finitely many points
            _, loc, _ = _params(p)
            chunks = [np.asarray(xk, dtype=np.float64) + float(loc)]
        else:
            chunks = None
        a, b = (float(v) for v in p.support())
        start = a
        low = float(p.ppf(_TAIL))
        # Skip p's negligible lower tail only when it is long.
        if not math.isfinite(a) or (math.isfinite(low) and low - a > 2**20):
            start = low
        if not math.isfinite(start):
            raise NotImplementedError(
                f"cannot bound the support of {_name(p)} for summation; "
                "estimate the divergence with kltools.kl_monte_carlo instead"
            )
        total = 0.0
        size, done = 1024, 0
        underflow: list[tuple[float, float]] = []
        while True:
            if chunks is not None:
                x = chunks[0]
            else:
                x = start + np.arange(min(size, b - start + 1))
            lp = np.asarray(p.logpmf(x), dtype=np.float64)
            lq = np.asarray(q.logpmf(x), dtype=np.float64)
            if np.isnan(lp).any() or np.isnan(lq).any():
                raise ValueError("logpmf returned NaN on the support of `p`")
            mass = lp > -np.inf
            suspect = mass & (lq == -np.inf) & (lp >= _LOG_NEGLIGIBLE)
            if suspect.any():
                far = _in_far_tail(q, x[suspect])
                if not far.all():
                    return math.inf
                if not underflow:
                    underflow.append((float(x[suspect][0]), float(lp[suspect][0])))
            mass &= lq > -np.inf  # the rest: q underflowed (see _LOG_NEGLIGIBLE)
            lp, lq = lp[mass], lq[mass]
            total += float(np.sum(np.exp(lp) * (lp - lq)))
            done += x.size
            last = float(x[-1])
            if chunks is not None or last >= b or float(p.sf(last)) <= _TAIL:
                if underflow:
                    _warn_underflow(p, q, *underflow[0])
                return total
            if done >= _MAX_POINTS:
                raise NotImplementedError(
                    f"summing KL({_name(p)} || {_name(q)}) over {done} points "
                    f"left mass {float(p.sf(last)):.3g} of p; the tail is too "
                    "heavy: estimate it with kltools.kl_monte_carlo instead"
                )
            start = last + 1.0
            size = min(2 * size, 2**20)


def _numeric(p: Any, q: Any) -> float:
    if isinstance(p.dist, rv_discrete):
        return _summation(p, q)
    return _quadrature(p, q)


# --- the public function --------------------------------------------------


def _check_frozen(d: object, name: str) -> None:
    if isinstance(d, (rv_frozen, multi_rv_frozen)):
        return
    if isinstance(d, (rv_generic, multi_rv_generic)):
        raise TypeError(
            f"`{name}` must be a frozen distribution such as "
            f"scipy.stats.norm(0, 1), got the unfrozen "
            f"{getattr(d, 'name', type(d).__name__)}: call it with its "
            "parameters (or with none, e.g. rv_histogram(...)()) to freeze it"
        )
    raise TypeError(
        f"`{name}` must be a frozen scipy.stats distribution such as "
        f"scipy.stats.norm(0, 1), got {type(d).__name__}"
    )


def _no_numeric(p: object, q: object) -> NotImplementedError:
    return NotImplementedError(
        f"no closed form is registered for KL({_name(p)} || {_name(q)}) and "
        "numerical integration is only available for univariate "
        "distributions: estimate it from samples with "
        "kltools.kl_monte_carlo(p, q, n), or add a closed form with "
        "kltools.register_kl"
    )


def kl_between(
    p: Any,
    q: Any,
    *,
    base: float | None = None,
    method: str = "auto",
) -> float | np.ndarray:
    r"""Compute the KL divergence between two frozen `scipy.stats` distributions.

    Parameters
    ----------
    p, q : frozen scipy.stats distribution
        For example ``stats.norm(0, 2)``, ``stats.gamma(a=2, scale=3)``,
        ``stats.poisson(4)`` or ``stats.multivariate_normal(mean, cov)``.
        Univariate distributions may have array parameters; they broadcast
        together.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any positive number other than 1.
    method : {"auto", "closed", "numeric"}, optional
        ``"auto"`` (default) uses a registered closed form where one
        applies and the numerical fallback otherwise. ``"closed"`` raises
        `NotImplementedError` instead of falling back. ``"numeric"``
        ignores the closed forms (to compare the two, or to check a newly
        registered formula).

    Returns
    -------
    float or ndarray
        :math:`D_{\mathrm{KL}}(p \| q) \ge 0`, possibly ``inf``: a float for
        scalar parameters, otherwise an array of the broadcast parameter
        shape.

    Raises
    ------
    TypeError
        If `p` or `q` is not a frozen scipy.stats distribution.
    ValueError
        If a distribution has invalid parameters, parameters that do not
        broadcast, or (multivariate normals) a covariance that is not
        positive definite or of the wrong dimension; if `method` or `base`
        is invalid.
    NotImplementedError
        If there is no closed form and no numerical method (multivariate
        pairs without a registered formula: the message points to
        `kl_monte_carlo`), or with ``method="closed"`` when no closed form
        applies.

    See Also
    --------
    register_kl : add a closed form for another pair of families.
    kl_normal, kl_mvnormal : the normal closed forms from plain parameters.
    kl_monte_carlo : a sample-based estimate for any pair.

    Notes
    -----
    .. math::

        D_{\mathrm{KL}}(p \| q) = \int p(x) \log\frac{p(x)}{q(x)}\,dx
        \quad\text{or}\quad \sum_x p(x) \log\frac{p(x)}{q(x)} .

    **Support.** Where the support of `p` (``p.support()``) is not inside
    that of `q`, `p` puts mass where `q` has none and the result is
    ``inf``; so is every pair of a discrete and a continuous distribution.
    Supports are compared exactly: ``uniform(0.1, 0.2)`` has support up to
    ``0.30000000000000004`` and is therefore not inside ``uniform(0, 0.3)``.

    **Closed forms** (vectorised over array parameters) are registered for
    these same-family pairs: ``norm``, ``multivariate_normal``, ``expon``
    (any `loc`), ``gamma`` (equal `loc`; also ``erlang``), ``beta`` (equal
    `loc` and `scale`), ``uniform``, ``laplace``, ``lognorm`` (equal `loc`),
    ``poisson``, ``bernoulli``, ``binom`` (equal `n`; ``bernoulli`` against
    ``binom`` too), ``geom`` (discrete families with equal `loc`),
    ``dirichlet``; and across families for ``expon`` against ``gamma`` in
    both directions (equal `loc`). Formulas follow [1]_, [2]_ and are
    evaluated as sums of non-negative terms where possible.

    **Numerical fallback** (one element at a time, so array parameters
    cost one integration each). Continuous `p`: adaptive Gauss-Kronrod
    quadrature (`scipy.integrate.quad`, relative tolerance 1e-10) of
    :math:`p\,(\log p - \log q)` over the support of `p`, split at the
    decades 1e-6, ..., 0.1 of both tails of `p`, its quartiles and the
    median of `q`; infinite tails are integrated in units of their distance
    from the median, so the scale of the distributions does not matter. The
    integrand is formed from ``logpdf`` differences, so densities that
    underflow never give ``0/0``; points where :math:`p = 0` contribute 0
    and a point where :math:`p > 0 = q` makes the result ``inf``. Where
    scipy's ``logpdf`` of `q` underflows to ``-inf`` inside the support of
    `q` (``laplace`` computes it as ``log(pdf)``) while the density of `p`
    is below 1e-100, the point is taken to contribute 0. If the integrand
    does not decay far in an infinite tail of `p` (at tail probability
    1e-15), the integral diverges, to ``+inf`` as KL integrals can only do:
    the result is ``inf`` with a `scipy.integrate.IntegrationWarning` (a
    Cauchy `p` against a normal `q`). Any other trouble reported by quad,
    beyond 1e-9 of the result, also gives that warning. Densities with
    much of their mass within rounding distance of an endpoint (such as
    ``beta(0.2, 0.1)``) cannot be resolved in floating point and warn.

    Discrete `p`: vectorised summation over the support of `p` (its points,
    for ``rv_discrete(values=...)``) in growing blocks until the mass of `p`
    left is below 1e-18; the same rules for zeros apply.

    References
    ----------
    .. [1] M. Gil, F. Alajaji and T. Linder, "Rényi divergence measures for
       commonly used univariate continuous distributions", *Information
       Sciences* 249, 124-131, 2013.
    .. [2] W. D. Penny, "KL-divergences of normal, gamma, Dirichlet and
       Wishart densities", Wellcome Department of Cognitive Neurology, 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from kltools import kl_between
    >>> round(kl_between(stats.norm(0, 1), stats.norm(1, 1)), 6)  # shift 1 sd
    0.5
    >>> kl_between(stats.norm(0, 1), stats.norm([0, 1, 2], 1)).round(6)
    array([0. , 0.5, 2. ])
    >>> round(kl_between(stats.poisson(4), stats.poisson(5)), 6)  # counts
    0.107426
    >>> kl_between(stats.uniform(0, 1), stats.uniform(0, 0.5))  # p escapes q
    inf

    A pair without a closed form is integrated numerically; ``method``
    picks the route, e.g. to compare them:

    >>> round(kl_between(stats.t(5), stats.norm()), 6)  # quadrature
    0.124769
    >>> p, q = stats.gamma(2, scale=3), stats.gamma(3, scale=2)
    >>> closed = kl_between(p, q, method="closed")
    >>> numeric = kl_between(p, q, method="numeric")
    >>> round(closed, 6), abs(closed - numeric) < 1e-9
    (0.053968, True)
    """
    divisor = log_base(base)
    if method not in _METHODS:
        raise ValueError(
            f"`method` must be 'auto', 'closed' or 'numeric', got {method!r}"
        )
    _check_frozen(p, "p")
    _check_frozen(q, "q")
    fn = None if method == "numeric" else _lookup(_family(p), _family(q))

    if not (isinstance(p, rv_frozen) and isinstance(q, rv_frozen)):
        if fn is None:
            raise _no_numeric(p, q)
        with np.errstate(all="ignore"):
            value = fn(p, q)
        if value is NotImplemented:
            raise _no_numeric(p, q)
        kl = np.asarray(value, dtype=np.float64)
        if np.isnan(kl).any():
            raise _no_numeric(p, q)
        return finish_nats(kl, divisor)

    shape_p = _check_params(p, "p")
    shape_q = _check_params(q, "q")
    try:
        shape = np.broadcast_shapes(shape_p, shape_q)
    except ValueError:
        raise ValueError(
            f"the parameters of `p` (shape {shape_p}) and `q` (shape "
            f"{shape_q}) do not broadcast"
        ) from None

    if isinstance(p.dist, rv_discrete) != isinstance(q.dist, rv_discrete):
        # One has atoms, the other a density: neither is absolutely
        # continuous with respect to the other.
        return finish_nats(np.full(shape, np.inf), divisor)

    with np.errstate(all="ignore"):
        lo_p, hi_p = p.support()
        lo_q, hi_q = q.support()
        outside = np.broadcast_to((lo_p < lo_q) | (hi_p > hi_q), shape)
    kl = np.where(outside, np.inf, np.nan)
    if fn is not None and not outside.all():
        with np.errstate(all="ignore"):
            value = fn(p, q)
        if value is not NotImplemented:
            value = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
            kl = np.where(outside, np.inf, value)
    todo = np.isnan(kl)
    if todo.any():
        if method == "closed":
            raise NotImplementedError(
                f"no closed form applies to KL({_name(p)} || {_name(q)})"
                + (" with these parameters" if fn is not None else "")
                + "; use method='auto' or 'numeric' for numerical integration"
            )
        kl = np.array(kl)
        for index in np.ndindex(shape):
            if todo[index]:
                kl[index] = _numeric(
                    _element(p, index, shape), _element(q, index, shape)
                )
    return finish_nats(kl, divisor)


# --- closed forms -----------------------------------------------------------


def _same(a: np.ndarray, b: np.ndarray, value: np.ndarray) -> np.ndarray:
    """`value` where `a == b` (a closed form's precondition), else nan."""
    return np.where(a == b, value, np.nan)


@register_kl(stats.norm, stats.norm)
def _kl_norm_norm(p: Any, q: Any) -> np.ndarray:
    _, mu_p, sd_p = _params(p)
    _, mu_q, sd_q = _params(q)
    return normal_nats(mu_p, sd_p, mu_q, sd_q)


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


@register_kl(stats.expon, stats.expon)
def _kl_expon_expon(p: Any, q: Any) -> np.ndarray:
    # log(s_q/s_p) + s_p/s_q - 1 + (loc_p - loc_q)/s_q; inf when loc_p < loc_q
    # is decided by the support check.
    _, loc_p, s_p = _params(p)
    _, loc_q, s_q = _params(q)
    return expm1mx(log_ratio(s_p, s_q)) + (loc_p - loc_q) / s_q


def _gamma_params(d: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shapes, loc, scale = _params(d)
    a = shapes[0] if shapes else np.float64(1.0)  # expon is gamma with a = 1
    return a, loc, scale


@register_kl(stats.gamma, stats.gamma)
@register_kl(stats.expon, stats.gamma)
@register_kl(stats.gamma, stats.expon)
def _kl_gamma_gamma(p: Any, q: Any) -> np.ndarray:
    # (a_p - a_q) psi(a_p) - ln G(a_p) + ln G(a_q) + a_q ln(s_q/s_p)
    #   + a_p (s_p - s_q)/s_q, with the scale terms regrouped as
    #   a_p (e^u - 1 - u) + (a_p - a_q) u, u = ln(s_p/s_q).
    a_p, loc_p, s_p = _gamma_params(p)
    a_q, loc_q, s_q = _gamma_params(q)
    u = log_ratio(s_p, s_q)
    value = (
        (a_p - a_q) * (special.digamma(a_p) + u)
        - (special.gammaln(a_p) - special.gammaln(a_q))
        + a_p * expm1mx(u)
    )
    return _same(loc_p, loc_q, value)


@register_kl(stats.beta, stats.beta)
def _kl_beta_beta(p: Any, q: Any) -> np.ndarray:
    (a_p, b_p), loc_p, s_p = _params(p)
    (a_q, b_q), loc_q, s_q = _params(q)
    value = (
        (special.betaln(a_q, b_q) - special.betaln(a_p, b_p))
        + (a_p - a_q) * special.digamma(a_p)
        + (b_p - b_q) * special.digamma(b_p)
        + (a_q - a_p + b_q - b_p) * special.digamma(a_p + b_p)
    )
    return _same(loc_p, loc_q, _same(s_p, s_q, value))


@register_kl(stats.uniform, stats.uniform)
def _kl_uniform_uniform(p: Any, q: Any) -> np.ndarray:
    # log(width_q / width_p) when p's interval is inside q's (else inf, by
    # the support check).
    _, _, w_p = _params(p)
    _, _, w_q = _params(q)
    return log_ratio(w_q, w_p)


@register_kl(stats.laplace, stats.laplace)
def _kl_laplace_laplace(p: Any, q: Any) -> np.ndarray:
    # log(b_q/b_p) + d/b_q + (b_p/b_q) exp(-d/b_p) - 1, d = |mu_p - mu_q|,
    # written as (e^w - 1 - w) + d (b_p - b_q)/(b_p b_q), w = ln(b_p/b_q) - d/b_p.
    _, m_p, b_p = _params(p)
    _, m_q, b_q = _params(q)
    d = np.abs(m_p - m_q)
    w = log_ratio(b_p, b_q) - d / b_p
    return expm1mx(w) + d * ((b_p - b_q) / (b_p * b_q))


@register_kl(stats.lognorm, stats.lognorm)
def _kl_lognorm_lognorm(p: Any, q: Any) -> np.ndarray:
    # log X is normal with mean log(scale) and standard deviation s, and KL
    # is invariant under the bijection x -> log(x - loc).
    (s_p,), loc_p, sc_p = _params(p)
    (s_q,), loc_q, sc_q = _params(q)
    value = normal_nats(log_ratio(sc_p, sc_q), s_p, np.float64(0.0), s_q)
    return _same(loc_p, loc_q, value)


@register_kl(stats.poisson, stats.poisson)
def _kl_poisson_poisson(p: Any, q: Any) -> np.ndarray:
    (mu_p,), loc_p, _ = _params(p)
    (mu_q,), loc_q, _ = _params(q)
    return _same(loc_p, loc_q, kl_div(mu_p, mu_q))


def _kl_bernoulli(pr_p: np.ndarray, pr_q: np.ndarray) -> np.ndarray:
    # p log(p/q) + (1-p) log((1-p)/(1-q)): the -x + y terms of kl_div cancel.
    return kl_div(pr_p, pr_q) + kl_div(1.0 - pr_p, 1.0 - pr_q)


def _binom_params(d: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shapes, loc, _ = _params(d)
    if isinstance(d.dist, type(stats.bernoulli)):  # a subclass of binom_gen
        return np.float64(1.0), shapes[0], loc
    return shapes[0], shapes[1], loc


@register_kl(stats.bernoulli, stats.bernoulli)
@register_kl(stats.binom, stats.binom)
def _kl_binom_binom(p: Any, q: Any) -> np.ndarray:
    # n KL(Bernoulli(p) || Bernoulli(q)) for equal n; n_p > n_q is inf by the
    # support check, n_p < n_q is left to summation.
    n_p, pr_p, loc_p = _binom_params(p)
    n_q, pr_q, loc_q = _binom_params(q)
    value = np.where(n_p == 0.0, 0.0, n_p * _kl_bernoulli(pr_p, pr_q))
    return _same(loc_p, loc_q, _same(n_p, n_q, value))


@register_kl(stats.geom, stats.geom)
def _kl_geom_geom(p: Any, q: Any) -> np.ndarray:
    # KL(Bernoulli(p) || Bernoulli(q)) / p: each of the 1/p expected trials
    # contributes one Bernoulli divergence.
    (pr_p,), loc_p, _ = _params(p)
    (pr_q,), loc_q, _ = _params(q)
    return _same(loc_p, loc_q, _kl_bernoulli(pr_p, pr_q) / pr_p)


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
_BUILTIN_PAIRS = frozenset(_REGISTRY)
