"""Every use of SciPy's private API in kltools, and one way to recognise a distribution.

`kl_between` and `kl_monte_carlo` accept three kinds of objects, told apart
here and nowhere else:

* ``"frozen"``: a frozen univariate distribution of SciPy's classic
  infrastructure, ``scipy.stats.norm(0, 1)`` (an ``rv_frozen``);
* ``"multivariate"``: a frozen multivariate one,
  ``scipy.stats.multivariate_normal(mean, cov)`` (a ``multi_rv_frozen``);
* ``"new"``: a univariate distribution of SciPy's new infrastructure
  (SciPy 1.15 and later): ``scipy.stats.Normal(mu=0, sigma=1)``, its shifted
  and scaled versions (``2 * Normal() + 1``), ``scipy.stats.Mixture``, and
  anything made with ``scipy.stats.make_distribution``.

Private names used, all below: ``scipy.stats._distn_infrastructure``
(``rv_frozen``, ``rv_generic``, ``rv_discrete``, ``rv_continuous``),
``scipy.stats._multivariate`` (``multi_rv_frozen``, ``multi_rv_generic``),
``rv_generic._parse_args`` and ``_argcheck`` (the parameters of a frozen
distribution, and their validity), ``multi_rv_frozen._dist`` (the family of
a frozen multivariate distribution), ``rv_continuous._ppf`` (whether a
family has its own quantile function), the ``"dirichlet_frozen"`` class name
(its ``logpdf`` wants one point per column), and
``scipy.stats._distribution_infrastructure`` (``ContinuousDistribution``,
``DiscreteDistribution``, ``ShiftedScaledDistribution``, ``Mixture`` and the
``_original_parameters`` of a new-infrastructure distribution).

Checked against SciPy 1.17.1, the version the tests run with, and SciPy 1.15.0,
the oldest the package allows (`make test-floor`), which has no
``DiscreteDistribution`` yet. The new-infrastructure names are looked up one
by one: with SciPy before 1.15 only the first two kinds are recognised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats._distn_infrastructure import (
    rv_continuous,
    rv_discrete,
    rv_frozen,
    rv_generic,
)
from scipy.stats._multivariate import multi_rv_frozen, multi_rv_generic

try:  # SciPy >= 1.15
    from scipy.stats import _distribution_infrastructure as _infra
except ImportError:  # pragma: no cover - older SciPy
    _infra = None
# Looked up one by one: DiscreteDistribution arrived after the rest (SciPy 1.15
# has ContinuousDistribution, Mixture and ShiftedScaledDistribution only).
ContinuousDistribution: Any = getattr(_infra, "ContinuousDistribution", None)
DiscreteDistribution: Any = getattr(_infra, "DiscreteDistribution", None)
Mixture: Any = getattr(_infra, "Mixture", None)
ShiftedScaledDistribution: Any = getattr(_infra, "ShiftedScaledDistribution", None)
_NEW: tuple[type, ...] = tuple(
    c for c in (ContinuousDistribution, DiscreteDistribution, Mixture) if c is not None
)

__all__ = [
    "FAMILY_BASES",
    "as_family",
    "dimension_name",
    "family",
    "is_dirichlet",
    "is_discrete",
    "kind",
    "name",
    "parameters",
    "public_parameters",
]

# What `register_kl` accepts as a family: classes derived from these.
FAMILY_BASES: tuple[type, ...] = (rv_generic, multi_rv_generic, *_NEW)


def kind(d: object, arg: str) -> str:
    """Return ``"frozen"``, ``"multivariate"`` or ``"new"``, or raise TypeError."""
    if isinstance(d, rv_frozen):
        return "frozen"
    if isinstance(d, multi_rv_frozen):
        return "multivariate"
    if _NEW and isinstance(d, _NEW):
        return "new"
    if isinstance(d, (rv_generic, multi_rv_generic)):
        raise TypeError(
            f"`{arg}` must be a frozen distribution such as "
            f"scipy.stats.norm(0, 1), got the unfrozen "
            f"{getattr(d, 'name', type(d).__name__)}: call it with its "
            "parameters (or with none, e.g. rv_histogram(...)()) to freeze it"
        )
    if isinstance(d, type) and _NEW and issubclass(d, _NEW):
        raise TypeError(
            f"`{arg}` must be a distribution object such as "
            f"scipy.stats.Normal(mu=0, sigma=1), got the class {d.__name__}"
        )
    raise TypeError(
        f"`{arg}` must be a frozen scipy.stats distribution such as "
        "scipy.stats.norm(0, 1) or a distribution object such as "
        f"scipy.stats.Normal(mu=0, sigma=1), got {type(d).__name__}"
    )


def as_family(x: object, arg: str) -> type:
    """The family class named by `x` (a distribution, a frozen one, or a class)."""
    if isinstance(x, type) and issubclass(x, FAMILY_BASES):
        return x
    if isinstance(x, (rv_generic, multi_rv_generic)):
        return type(x)
    if _NEW and isinstance(x, _NEW):
        return family(x)
    raise TypeError(
        f"`{arg}` must be a scipy.stats distribution such as scipy.stats.norm, "
        f"a new-infrastructure class such as scipy.stats.Normal, or a class, "
        f"got {x!r}"
    )


def _base(d: Any) -> Any:
    """The distribution under any number of shifts and scalings."""
    while ShiftedScaledDistribution is not None and isinstance(
        d, ShiftedScaledDistribution
    ):
        d = d._dist
    return d


def family(d: object) -> type:
    """The registry key of a distribution: its family class.

    A shifted or scaled new-infrastructure distribution belongs to the family
    of the distribution it transforms (``2 * Normal() + 1`` is a `Normal`).
    """
    if isinstance(d, rv_frozen):
        return type(d.dist)
    if isinstance(d, multi_rv_frozen):
        dist = getattr(d, "_dist", None)
        if isinstance(dist, multi_rv_generic):
            return type(dist)
        return type(d)
    return type(_base(d))


def name(d: object) -> str:
    """A short name for messages: ``norm``, ``Normal``, ``multivariate_normal``."""
    if isinstance(d, rv_frozen):
        return str(d.dist.name)
    if isinstance(d, (rv_generic, multi_rv_generic)):
        return str(getattr(d, "name", type(d).__name__))
    return family(d).__name__.removesuffix("_gen").removesuffix("_frozen")


def is_discrete(d: Any) -> bool:
    """Whether a univariate distribution has a pmf rather than a density."""
    if isinstance(d, rv_frozen):
        return isinstance(d.dist, rv_discrete)
    if DiscreteDistribution is not None and isinstance(_base(d), DiscreteDistribution):
        return True
    if Mixture is not None and isinstance(d, Mixture):
        return any(is_discrete(c) for c in d.components)
    return False


def is_dirichlet(d: object) -> bool:
    """scipy's frozen dirichlet: its logpdf wants one point per column."""
    return type(d).__name__ == "dirichlet_frozen"


def has_own_ppf(d: Any) -> bool:
    """Whether a frozen continuous family defines its quantile function.

    Without one, scipy inverts the cdf by root finding at every point.
    """
    if isinstance(d, rv_frozen) and isinstance(d.dist, rv_continuous):
        return type(d.dist)._ppf is not rv_continuous._ppf
    return True


def parameters(d: rv_frozen) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Shape parameters, loc and scale of a frozen univariate distribution.

    Float arrays, not broadcast against each other; scale is 1 for discrete
    families.
    """
    shapes, loc, scale = d.dist._parse_args(*d.args, **d.kwds)
    return (
        [np.asarray(s, dtype=np.float64) for s in shapes],
        np.asarray(loc, dtype=np.float64),
        np.asarray(scale, dtype=np.float64),
    )


def check_parameters(d: Any, arg: str) -> tuple[int, ...]:
    """Raise ValueError if `d`'s parameters are invalid; return their shape."""
    if kind(d, arg) == "new":
        if Mixture is not None and isinstance(d, Mixture):
            return ()  # scipy's Mixture takes scalar components only
        # The new infrastructure validates on construction (invalid values
        # become NaN parameters, reported here).
        arrays = [np.asarray(v, dtype=np.float64) for v in _new_parameters(d).values()]
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:  # pragma: no cover - scipy refuses first
            raise ValueError(f"the parameters of `{arg}` do not broadcast") from None
        with np.errstate(all="ignore"):
            lo, hi = d.support()
            bad = np.isnan(np.asarray(lo, dtype=np.float64)) | np.isnan(
                np.asarray(hi, dtype=np.float64)
            )
        if np.any(bad):
            raise ValueError(f"`{arg}` has invalid parameters: {d!r}")
        return shape
    shapes, loc, scale = parameters(d)
    arrays = [*shapes, loc, scale]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise ValueError(f"the parameters of `{arg}` do not broadcast") from None
    with np.errstate(all="ignore"):
        ok = np.asarray(d.dist._argcheck(*shapes), dtype=bool) & (scale > 0.0)
        for a in arrays:
            ok = ok & np.isfinite(a)
    if not ok.all():
        raise ValueError(
            f"`{arg}` has invalid parameters for scipy.stats.{d.dist.name} "
            f"(args={d.args}, kwds={d.kwds})"
        )
    return shape


def _new_parameters(d: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if Mixture is not None and isinstance(d, Mixture):
        return {"weights": np.asarray(d.weights, dtype=np.float64)}
    if ShiftedScaledDistribution is not None and isinstance(
        d, ShiftedScaledDistribution
    ):
        out.update(_new_parameters(d._dist))
        out["loc"] = d.loc
        out["scale"] = d.scale
        return out
    return dict(getattr(d, "_original_parameters", {}))


def public_parameters(d: Any) -> dict[str, Any]:
    """The parameters of a distribution by their public names (see kl_between)."""
    k = kind(d, "d")
    if k == "frozen":
        shapes, loc, scale = parameters(d)
        names = [s.strip() for s in (d.dist.shapes or "").split(",") if s.strip()]
        out = dict(zip(names, shapes, strict=True))
        out["loc"] = loc
        if not isinstance(d.dist, rv_discrete):
            out["scale"] = scale
        return out
    if k == "multivariate":
        fam = family(d).__name__.removesuffix("_gen")
        if fam == "multivariate_normal":
            return {"mean": np.asarray(d.mean), "cov": np.asarray(d.cov)}
        if fam == "dirichlet":
            return {"alpha": np.asarray(d.alpha, dtype=np.float64)}
        raise TypeError(
            f"no public parameters are known for scipy.stats.{fam}; read them "
            "from the distribution object"
        )
    out = {
        key: np.asarray(v, dtype=np.float64) for key, v in _new_parameters(d).items()
    }
    if Mixture is not None and isinstance(d, Mixture):
        out["components"] = list(d.components)  # type: ignore[assignment]
    return out


def element(d: Any, index: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    """The scalar frozen distribution at `index` of `d` broadcast to `shape`."""
    shapes, loc, scale = parameters(d)
    if all(a.ndim == 0 for a in (*shapes, loc, scale)):
        return d
    args = [float(np.broadcast_to(s, shape)[index]) for s in shapes]
    loc_i = float(np.broadcast_to(loc, shape)[index])
    if isinstance(d.dist, rv_discrete):
        return d.dist(*args, loc=loc_i)
    scale_i = float(np.broadcast_to(scale, shape)[index])
    return d.dist(*args, loc=loc_i, scale=scale_i)


def subset(d: Any, shape: tuple[int, ...], mask: np.ndarray) -> Any:
    """The frozen distribution of the elements `mask` of `d` broadcast to `shape`.

    Its parameters are 1-d, one entry per selected element.
    """
    shapes, loc, scale = parameters(d)
    args = [np.broadcast_to(s, shape)[mask] for s in shapes]
    loc_m = np.broadcast_to(loc, shape)[mask]
    if isinstance(d.dist, rv_discrete):
        return d.dist(*args, loc=loc_m)
    return d.dist(*args, loc=loc_m, scale=np.broadcast_to(scale, shape)[mask])


def dimension_name(d: Any) -> str:
    """``"discrete"`` or ``"continuous"`` for messages and checks."""
    return "discrete" if is_discrete(d) else "continuous"


# --- one interface to both infrastructures (univariate) -------------------


def support(d: Any) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = d.support()
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


def logpdf(d: Any, x: ArrayLike) -> np.ndarray:
    if isinstance(d, rv_frozen):
        f = d.logpmf if isinstance(d.dist, rv_discrete) else d.logpdf
    else:
        f = d.logpmf if is_discrete(d) else d.logpdf
    return np.asarray(f(x), dtype=np.float64)


def ppf(d: Any, u: ArrayLike) -> np.ndarray:
    f = d.ppf if isinstance(d, rv_frozen) else d.icdf
    return np.asarray(f(u), dtype=np.float64)


def isf(d: Any, u: ArrayLike) -> np.ndarray:
    f = d.isf if isinstance(d, rv_frozen) else d.iccdf
    return np.asarray(f(u), dtype=np.float64)


def cdf(d: Any, x: ArrayLike) -> np.ndarray:
    return np.asarray(d.cdf(x), dtype=np.float64)


def sf(d: Any, x: ArrayLike) -> np.ndarray:
    f = d.sf if isinstance(d, rv_frozen) else d.ccdf
    return np.asarray(f(x), dtype=np.float64)


def logcdf(d: Any, x: ArrayLike) -> np.ndarray:
    return np.asarray(d.logcdf(x), dtype=np.float64)


def logsf(d: Any, x: ArrayLike) -> np.ndarray:
    f = d.logsf if isinstance(d, rv_frozen) else d.logccdf
    return np.asarray(f(x), dtype=np.float64)


def median(d: Any) -> np.ndarray:
    if isinstance(d, rv_frozen):
        return np.asarray(d.median(), dtype=np.float64)
    return np.asarray(d.median(), dtype=np.float64)


def sampler(d: Any) -> Any:
    """A function ``(n, generator) -> n draws`` for any recognised distribution."""
    if kind(d, "d") == "new":
        return lambda n, gen: np.asarray(d.sample(n, rng=gen))
    return lambda n, gen: d.rvs(size=n, random_state=gen)


def log_density(d: Any) -> Any:
    """The log-density (log-pmf) function of a recognised distribution."""
    if is_dirichlet(d):
        return lambda sample: d.logpdf(np.transpose(sample))
    if kind(d, "d") == "multivariate":
        return d.logpmf if hasattr(d, "logpmf") else d.logpdf
    return lambda x: logpdf(d, x)
