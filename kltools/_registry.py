"""KL divergence between scipy.stats distributions: the registry and `kl_between`.

Closed forms are registered for pairs of distribution families with
`register_kl` (the formulas themselves live in `kltools._pairs`); pairs
without one fall back to `kltools._fallback`. Distributions are recognised by
`kltools._scipy_adapter`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _fallback
from . import _scipy_adapter as sa
from ._validation import check_option, log_base

__all__ = ["distribution_parameters", "kl_between", "register_kl"]

KLFunction = Callable[[Any, Any], Any]

_REGISTRY: dict[tuple[type, type], KLFunction] = {}
_METHODS = ("auto", "closed", "numeric")
# A closed form may round a zero divergence slightly below 0; anything
# further below is a wrong formula, reported rather than clamped.
_NEGATIVE_TOL = 1e-10


def register_kl(
    type_p: object, type_q: object, *, override: bool = False
) -> Callable[[KLFunction], KLFunction]:
    """Register a closed-form KL divergence for a pair of distribution families.

    Use it as a decorator on a function ``fn(p, q)`` that takes two
    distributions and returns :math:`D_{\\mathrm{KL}}(p \\| q)` in nats.

    Parameters
    ----------
    type_p, type_q : scipy.stats distribution or class
        The families of `p` and `q`: a distribution object such as
        ``scipy.stats.gamma`` or ``scipy.stats.multivariate_normal``, a
        new-infrastructure class such as ``scipy.stats.Normal``, or the class
        of your own ``rv_continuous`` subclass.
    override : bool, optional
        Replace an existing registration of the same pair without a
        warning. Default False: replacing one warns.

    Returns
    -------
    callable
        A decorator that registers its function and returns it unchanged.

    Raises
    ------
    TypeError
        If `type_p` or `type_q` is not a scipy.stats distribution or class,
        if `override` is not a bool, or the decorated object is not callable.

    Warns
    -----
    UserWarning
        If the pair is already registered and `override` is False.

    See Also
    --------
    kl_between : uses the registered functions.
    distribution_parameters : the parameters of a distribution by name.

    Notes
    -----
    The function receives the distributions as given to `kl_between`,
    possibly with array parameters (read them with
    `distribution_parameters`); it returns a value or array broadcast over
    all of their parameters (nats, vectorised). To decline:

    * return ``NotImplemented`` to decline the whole call;
    * return a `numpy.ma.MaskedArray` whose masked elements are those where
      the formula does not apply (for example unequal `loc`): only those are
      computed otherwise.

    `kl_between` then uses the numerical fallback, or raises
    `NotImplementedError` with ``method="closed"``. A NaN among the values
    returned is a bug in the formula and raises `RuntimeError`, and so does a
    value below ``-1e-10`` or a result that does not broadcast to the
    parameters' shape; values in ``[-1e-10, 0)`` are rounding and become 0.
    Before calling it, `kl_between` already returns ``inf`` where the
    support of `p` is not inside that of `q` (univariate case).

    **Dispatch.** For the classes of `p` and `q`, every registered pair
    ``(A, B)`` with ``A`` in the method resolution order of `p`'s class (at
    position ``i``) and ``B`` in that of `q`'s (position ``j``) is a
    candidate, ranked by ``i + j``; the smallest rank wins. This is
    TensorFlow Probability's rule (``tfp.distributions.kl_divergence``);
    ``torch.distributions`` ranks candidates differently. Ties between
    different functions are broken in favour of the smaller ``i`` (the pair
    more specific in `p`) and warn, as the choice is then arbitrary.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from kltools import distribution_parameters, kl_between, register_kl
    >>> @register_kl(stats.rayleigh, stats.rayleigh)
    ... def _kl_rayleigh(p, q):
    ...     pp, pq = distribution_parameters(p), distribution_parameters(q)
    ...     r = pp["scale"] / pq["scale"]
    ...     value = r**2 - 1 - 2 * np.log(r)
    ...     # masked where the locs differ: those are integrated numerically
    ...     return np.ma.masked_where(pp["loc"] != pq["loc"], value)
    >>> round(kl_between(stats.rayleigh(scale=1), stats.rayleigh(scale=2)), 6)
    0.636294
    """
    tp = sa.as_family(type_p, "type_p")
    tq = sa.as_family(type_q, "type_q")
    if not isinstance(override, bool):
        raise TypeError(f"`override` must be True or False, got {override!r}")

    def decorator(fn: KLFunction) -> KLFunction:
        if not callable(fn):
            raise TypeError(f"register_kl must decorate a function, got {fn!r}")
        old = _REGISTRY.get((tp, tq))
        if old is not None and old is not fn and not override:
            warnings.warn(
                f"register_kl replaces the function registered for "
                f"({tp.__name__}, {tq.__name__}), {old.__name__}, with "
                f"{getattr(fn, '__name__', fn)!r}; pass override=True to do "
                "this without a warning",
                UserWarning,
                stacklevel=2,
            )
        _REGISTRY[(tp, tq)] = fn
        return fn

    return decorator


def _lookup(tp: type, tq: type) -> KLFunction | None:
    """The registered function of least rank i + j (see register_kl)."""
    best: tuple[int, KLFunction] | None = None
    tied: list[KLFunction] = []
    for i, a in enumerate(tp.__mro__):
        for j, b in enumerate(tq.__mro__):
            fn = _REGISTRY.get((a, b))
            if fn is None:
                continue
            if best is None or i + j < best[0]:
                best, tied = (i + j, fn), []
            elif i + j == best[0] and fn is not best[1]:
                tied.append(fn)
    if best is None:
        return None
    if tied:
        warnings.warn(
            f"ambiguous KL dispatch for ({tp.__name__}, {tq.__name__}): "
            f"{best[1].__name__} and {tied[0].__name__} tie at rank {best[0]}; "
            f"using {best[1].__name__} (nearer in p's class hierarchy). "
            "Register the exact pair to decide.",
            UserWarning,
            stacklevel=3,
        )
    return best[1]


def distribution_parameters(d: Any) -> dict[str, Any]:
    """Return the parameters of a scipy.stats distribution by their public names.

    Parameters
    ----------
    d : scipy.stats distribution object
        A frozen distribution (``stats.gamma(2, scale=3)``), a frozen
        ``multivariate_normal`` or ``dirichlet``, or a new-infrastructure
        distribution (``stats.Normal(mu=0, sigma=1)``, shifted, scaled or a
        ``Mixture``).

    Returns
    -------
    dict
        Frozen univariate: the shape parameters under the names of
        ``dist.shapes``, ``"loc"``, and ``"scale"`` (continuous only), as
        float arrays, not broadcast against each other, defaults filled in.
        Multivariate normal: ``"mean"``, ``"cov"``; Dirichlet: ``"alpha"``.
        New infrastructure: the parameters as given (``"mu"``,
        ``"sigma"``...), plus ``"loc"`` and ``"scale"`` for a shifted or
        scaled one (x = loc + scale * y, y the distribution transformed);
        ``"weights"`` and ``"components"`` for a ``Mixture``.

    Raises
    ------
    TypeError
        If `d` is not a recognised distribution, or a multivariate family
        whose parameters are not known.

    See Also
    --------
    register_kl : functions registered there read parameters with this.

    Examples
    --------
    >>> from scipy import stats
    >>> from kltools import distribution_parameters
    >>> sorted(distribution_parameters(stats.gamma(2, scale=3)).items())
    [('a', array(2.)), ('loc', array(0.)), ('scale', array(3.))]
    >>> distribution_parameters(stats.poisson(4))
    {'mu': array(4.), 'loc': array(0.)}
    """
    return sa.public_parameters(d)


def _closed(
    fn: KLFunction, p: Any, q: Any, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Apply a registered function: (values, declined mask) or None (declined)."""
    with np.errstate(all="ignore"):
        value = fn(p, q)
    if value is NotImplemented:
        return None
    if isinstance(value, np.ma.MaskedArray):
        declined = np.ma.getmaskarray(value)
        value = np.ma.getdata(value)
    else:
        declined = np.zeros(np.shape(value), dtype=bool)
    label = getattr(fn, "__name__", repr(fn))
    try:
        value = np.asarray(value, dtype=np.float64)
        value = np.broadcast_to(value, shape)
        declined = np.broadcast_to(declined, shape)
    except (TypeError, ValueError):
        raise RuntimeError(
            f"the KL function {label} registered for ({sa.name(p)}, "
            f"{sa.name(q)}) returned {np.shape(value)} values for parameters "
            f"of shape {shape}"
        ) from None
    valid = ~declined
    if np.isnan(value[valid]).any():
        raise RuntimeError(
            f"the KL function {label} registered for ({sa.name(p)}, "
            f"{sa.name(q)}) returned NaN: a bug in the formula (to decline, "
            "return NotImplemented or mask the elements)"
        )
    low = value[valid] < -_NEGATIVE_TOL
    if low.any():
        raise RuntimeError(
            f"the KL function {label} registered for ({sa.name(p)}, "
            f"{sa.name(q)}) returned {float(value[valid][low][0])!r} < 0: a "
            "divergence is never negative, so the formula is wrong"
        )
    return np.where(value > 0.0, value, 0.0), declined


def _no_numeric(p: object, q: object) -> NotImplementedError:
    return NotImplementedError(
        f"no closed form is registered for KL({sa.name(p)} || {sa.name(q)}) and "
        "numerical integration is only available for univariate "
        "distributions: estimate it from samples with "
        "kltools.kl_monte_carlo(p, q, n), or add a closed form with "
        "kltools.register_kl"
    )


def _unwrap(kl: np.ndarray, divisor: float) -> float | np.ndarray:
    kl = kl / divisor
    return float(kl) if kl.ndim == 0 else kl


def kl_between(
    p: Any,
    q: Any,
    *,
    base: float | None = None,
    method: str = "auto",
) -> float | np.ndarray:
    r"""Compute the KL divergence between two scipy.stats distributions.

    Parameters
    ----------
    p, q : scipy.stats distribution object
        A frozen distribution such as ``stats.norm(0, 2)``,
        ``stats.gamma(a=2, scale=3)``, ``stats.poisson(4)`` or
        ``stats.multivariate_normal(mean, cov)``; or a distribution of
        SciPy's new infrastructure (SciPy 1.15+), such as
        ``stats.Normal(mu=0, sigma=1)``, ``2 * stats.Normal() + 1`` or a
        ``stats.Mixture``. Univariate distributions may have array
        parameters; they broadcast together.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.
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
        If `p` or `q` is not a recognised distribution.
    ValueError
        If a distribution has invalid parameters, parameters that do not
        broadcast, or (multivariate normals) a covariance that is not
        positive definite or of the wrong dimension; if `method` or `base`
        is invalid.
    NotImplementedError
        If no closed form applies and the numerical fallback cannot give a
        trustworthy value (the message says why and points to
        `kl_monte_carlo`), or when scipy's functions for `p` are so slow
        (milliseconds per point) that integrating would take minutes, and
        for multivariate pairs without a registered
        formula; with ``method="closed"``, whenever no closed form applies.
    RuntimeError
        If a registered closed form returns NaN, a negative value or the
        wrong shape (see `register_kl`).

    See Also
    --------
    register_kl : add a closed form for another pair of families.
    distribution_parameters : the parameters a closed form reads.
    kl_normal, kl_mvnormal : the normal closed forms from plain parameters.
    kl_monte_carlo : a sample-based estimate for any pair.

    Notes
    -----
    .. math::

        D_{\mathrm{KL}}(p \| q) = \int p(x) \log\frac{p(x)}{q(x)}\,dx
        \quad\text{or}\quad \sum_x p(x) \log\frac{p(x)}{q(x)} .

    **Support.** Where the support of `p` is not inside that of `q`, `p`
    puts mass where `q` has none and the result is ``inf``; so is every
    pair of a discrete and a continuous distribution. Supports are compared
    exactly: ``uniform(0.1, 0.2)`` has support up to ``0.30000000000000004``
    and is therefore not inside ``uniform(0, 0.3)``.

    **Closed forms** (vectorised over array parameters; `kltools._pairs`
    lists them with their derivations) cover same-family pairs of
    ``norm`` (and the new ``Normal``, shifted or scaled, against either),
    ``multivariate_normal``, ``expon``, ``gamma``, ``erlang``, ``chi2``
    (all three as gammas, across families too), ``beta``, ``uniform``,
    ``laplace``, ``lognorm``, ``gumbel_r``, ``gumbel_l``, ``weibull_min``
    (equal shape), ``invgamma``, ``pareto``, ``cauchy``, ``poisson``,
    ``bernoulli``, ``binom``, ``geom``, ``nbinom`` (equal `n`), ``zipf``,
    ``dirichlet``, and ``norm`` against ``laplace``. Where a formula needs
    equal locations or shapes and they differ, it declines and the
    numerical fallback takes over.

    **Numerical fallback** (`kltools._fallback`): two independent
    double-exponential quadratures, one over the probability scale
    :math:`u = F_p(x)` (which resolves densities singular at an endpoint),
    one over :math:`x` in sinh/exp-transformed variables, both vectorised
    over array parameters. They must agree to 1e-8 relative (1e-12
    absolute); otherwise, or where `q`'s log-density underflows where `p`
    has mass, or where `p` has mass within rounding distance of an
    endpoint, `NotImplementedError` is raised. Divergence to ``inf`` is
    decided from the tail exponent of the integrand. Discrete `p`: summation
    over its support until the mass left is below 1e-18 (at most 2**22
    points, else `NotImplementedError`).

    References
    ----------
    .. [1] M. Gil, F. Alajaji and T. Linder, "Rényi divergence measures for
       commonly used univariate continuous distributions", *Information
       Sciences* 249, 124-131, 2013.
    .. [2] W. D. Penny, "KL-divergences of normal, gamma, Dirichlet and
       Wishart densities", Wellcome Department of Cognitive Neurology, 2001.
    .. [3] H. Takahasi and M. Mori, "Double exponential formulas for
       numerical integration", *Publ. RIMS Kyoto Univ.* 9, 721-741, 1974.

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

    SciPy's new distribution objects work too:

    >>> round(kl_between(stats.Normal(mu=0, sigma=1), 2 * stats.Normal() + 1), 6)
    0.443147
    """
    divisor = log_base(base)
    method = check_option(method, "method", tuple(_METHODS))
    kind_p, kind_q = sa.kind(p, "p"), sa.kind(q, "q")
    fn = None if method == "numeric" else _lookup(sa.family(p), sa.family(q))

    if "multivariate" in (kind_p, kind_q):
        if fn is None:
            raise _no_numeric(p, q)
        with np.errstate(all="ignore"):
            value = fn(p, q)
        if value is NotImplemented:
            raise _no_numeric(p, q)
        out = _closed(lambda p_, q_: value, p, q, np.shape(value))
        assert out is not None
        if out[1].any():
            raise _no_numeric(p, q)
        return _unwrap(out[0], divisor)

    shape_p = sa.check_parameters(p, "p")
    shape_q = sa.check_parameters(q, "q")
    try:
        shape = np.broadcast_shapes(shape_p, shape_q)
    except ValueError:
        raise ValueError(
            f"the parameters of `p` (shape {shape_p}) and `q` (shape "
            f"{shape_q}) do not broadcast"
        ) from None

    if sa.is_discrete(p) != sa.is_discrete(q):
        # One has atoms, the other a density: neither is absolutely
        # continuous with respect to the other.
        return _unwrap(np.full(shape, np.inf), divisor)

    with np.errstate(all="ignore"):
        lo_p, hi_p = sa.support(p)
        lo_q, hi_q = sa.support(q)
        outside = np.broadcast_to((lo_p < lo_q) | (hi_p > hi_q), shape)
    kl = np.where(outside, np.inf, 0.0)
    todo = ~outside
    if fn is not None and todo.any():
        out = _closed(fn, p, q, shape)
        if out is not None:
            kl = np.where(outside, np.inf, out[0])
            todo = todo & out[1]
    if todo.any():
        if method == "closed":
            raise NotImplementedError(
                f"no closed form applies to KL({sa.name(p)} || {sa.name(q)})"
                + (" with these parameters" if fn is not None else "")
                + "; use method='auto' or 'numeric' for numerical integration"
            )
        kl = np.array(kl)
        kl[todo] = _fallback.numeric_kl(p, q, shape, todo)
    return _unwrap(kl, divisor)
