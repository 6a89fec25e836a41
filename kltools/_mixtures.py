"""KL divergence between Gaussian mixtures: estimates, approximations, bounds."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from scipy.special import erfcx, log_ndtr, ndtr

from ._closed_form import _cholesky, mvnormal_nats
from ._estimators import MonteCarloResult
from ._numerics import (
    _EXP_COEFFS,
    expm1mx,
    expm1mx_scalar,
    log_ratio,
    log_ratio_scalar,
)
from ._validation import (
    as_generator,
    as_real_array,
    check_count,
    check_option,
    log_base,
)

__all__ = ["kl_gmm"]

_LOG_2PI = math.log(2.0 * math.pi)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_METHODS = (
    "monte_carlo",
    "variational",
    "product",
    "matched",
    "upper",
    "lower",
    "exact",
)
#: Sample points whose log-densities are evaluated together in `monte_carlo`:
#: bounds the scratch memory at (components x block) floats.
_BLOCK = 32768


@dataclass(frozen=True)
class _Mixture:
    """A validated mixture in canonical form (no zero weights, sorted)."""

    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, d)
    covs: np.ndarray  # (K, d, d)
    chol: np.ndarray  # (K, d, d), lower Cholesky factors
    #: d = 1 and at most `_SMALL_K` components: weights, means and standard
    #: deviations as Python lists, for the scalar kernels.
    small: tuple[list[float], list[float], list[float]] | None = None

    @property
    def log_weights(self) -> np.ndarray:
        return np.log(self.weights)

    @property
    def half_logdet(self) -> np.ndarray:
        """``0.5 * log det(cov)`` per component."""
        return np.log(np.diagonal(self.chol, axis1=-2, axis2=-1)).sum(axis=-1)

    def same_as(self, other: _Mixture) -> bool:
        if self.small is not None and other.small is not None:
            return self.small == other.small
        return (
            self.weights.shape == other.weights.shape
            and self.means.shape == other.means.shape
            and np.array_equal(self.weights, other.weights)
            and np.array_equal(self.means, other.means)
            and np.array_equal(self.covs, other.covs)
        )


def _sklearn_parts(obj: Any, name: str) -> tuple[Any, Any, Any]:
    """Weights, means and full covariances of a fitted scikit-learn mixture."""
    if not all(hasattr(obj, a) for a in ("weights_", "means_", "covariances_")):
        raise ValueError(
            f"`{name}` is a scikit-learn mixture that has not been fitted "
            "(it has no `weights_`, `means_` and `covariances_`); call `fit` first"
        )
    weights = as_real_array(obj.weights_, f"{name}.weights_")
    means = as_real_array(obj.means_, f"{name}.means_")
    cov = as_real_array(obj.covariances_, f"{name}.covariances_")
    if means.ndim != 2:
        raise ValueError(f"`{name}.means_` must have shape (K, d), got {means.shape}")
    k, d = means.shape
    kind = obj.covariance_type
    expected = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
    if kind not in expected:
        raise ValueError(
            f"`{name}.covariance_type` must be one of {sorted(expected)}, got {kind!r}"
        )
    if cov.shape != expected[kind]:
        raise ValueError(
            f"`{name}.covariances_` must have shape {expected[kind]} for "
            f"covariance_type={kind!r}, got {cov.shape}"
        )
    if kind == "tied":
        cov = np.broadcast_to(cov, (k, d, d))
    elif kind == "diag":
        cov = cov[:, :, None] * np.eye(d)
    elif kind == "spherical":
        cov = cov[:, None, None] * np.eye(d)
    return weights, means, cov


def _scipy_parts(obj: Any, name: str) -> tuple[Any, Any, Any]:
    """Weights, means and variances of a `scipy.stats.Mixture` of normals."""
    from scipy.stats import Normal

    means, variances = [], []
    for i, comp in enumerate(obj.components):
        if not isinstance(comp, Normal):
            raise TypeError(
                f"`{name}` is a scipy.stats.Mixture whose component {i} is a "
                f"{type(comp).__name__}: every component must be a "
                "scipy.stats.Normal"
            )
        mu, sigma = np.asarray(comp.mu), np.asarray(comp.sigma)
        if mu.shape != () or sigma.shape != ():
            raise ValueError(
                f"`{name}`: component {i} has array parameters; each component "
                "of the mixture must be one normal distribution"
            )
        means.append([float(mu)])
        variances.append([[float(sigma) ** 2]])
    return obj.weights, means, variances


#: Tolerance on ``|sum(weights) - 1|``.
_SUM_TOL = math.sqrt(np.finfo(np.float64).eps)
#: Up to this many components, a 1-D mixture is put in canonical form with
#: Python lists (numpy's per-call overhead dominates small arrays).
_SMALL_K = 64


def _canonical_1d(
    weights: list[float], means: list[float], variances: list[float], name: str
) -> _Mixture:
    """`_as_mixture`'s canonical form for d = 1, from checked lists."""
    if min(variances) <= 0.0:
        raise ValueError(
            f"a covariance of `{name}` is not positive definite (a variance "
            f"is {min(variances):.6g}); a singular covariance has no density"
        )
    comps = sorted(
        (m, v, w) for m, v, w in zip(means, variances, weights, strict=True) if w > 0
    )
    merged: list[list[Any]] = []
    for m, v, w in comps:
        if merged and merged[-1][0] == m and merged[-1][1] == v:
            merged[-1][2].append(w)
        else:
            merged.append([m, v, [w]])
    if len(merged) == 1:
        # One normal: its weight is 1 (it passed the sum check), not
        # 1 - 1e-16, so that the closed form comes out bit for bit.
        w_arr = np.ones(1)
    else:
        # fsum: equal exact sums give equal weights (p == q is recognised)
        w_arr = np.array([math.fsum(c[2]) for c in merged])
    m_list = [c[0] for c in merged]
    v_list = [c[1] for c in merged]
    s_list = [math.sqrt(v) for v in v_list]
    small = (w_arr.tolist(), m_list, s_list)
    k = len(merged)
    return _Mixture(
        w_arr,
        np.array(m_list).reshape(k, 1),
        np.array(v_list).reshape(k, 1, 1),
        np.array(s_list).reshape(k, 1, 1),
        small,
    )


def _as_mixture(obj: Any, name: str) -> _Mixture:
    """Validate `obj` and return it in canonical form."""
    if isinstance(obj, (tuple, list)):
        if len(obj) != 3:
            raise ValueError(
                f"`{name}` must be a tuple (weights, means, covariances), got "
                f"a sequence of length {len(obj)}"
            )
        parts = obj
    elif hasattr(obj, "covariance_type") and hasattr(obj, "fit"):
        parts = _sklearn_parts(obj, name)
    elif hasattr(obj, "components") and hasattr(obj, "weights"):
        parts = _scipy_parts(obj, name)
    else:
        raise TypeError(
            f"`{name}` must be a tuple (weights, means, covariances), a fitted "
            "scikit-learn GaussianMixture or BayesianGaussianMixture, or a "
            f"scipy.stats.Mixture of Normal components, got {type(obj).__name__}"
        )
    weights = as_real_array(parts[0], f"{name}[0]")
    means = as_real_array(parts[1], f"{name}[1]")
    covs = as_real_array(parts[2], f"{name}[2]")
    if weights.ndim != 1 or weights.size == 0:
        raise ValueError(
            f"`{name}` weights must have shape (K,) with K >= 1, got {weights.shape}"
        )
    k = weights.size
    if means.ndim != 2 or means.shape[0] != k or means.shape[1] == 0:
        raise ValueError(
            f"`{name}` means must have shape (K, d) = ({k}, d) with d >= 1, got "
            f"{means.shape}"
        )
    d = means.shape[1]
    if covs.shape != (k, d, d):
        raise ValueError(
            f"`{name}` covariances must have shape (K, d, d) = ({k}, {d}, {d}) "
            f"(full matrices, also for d = 1), got {covs.shape}"
        )
    # One sum on the common path: it is finite only if every entry is (NaN
    # and inf propagate); if not, find the culprit (or an overflowing sum).
    # Small arrays are summed as lists (numpy's per-call cost dominates).
    if k <= _SMALL_K and d == 1:
        wl, ml, vl = weights.tolist(), means[:, 0].tolist(), covs[:, 0, 0].tolist()
        finite = math.isfinite(sum(wl) + sum(ml) + sum(vl))
    else:
        finite = math.isfinite(float(weights.sum() + means.sum() + covs.sum()))
        wl = weights.tolist()
    if not finite:
        for arr, what in (
            (weights, "weights"),
            (means, "means"),
            (covs, "covariances"),
        ):
            if not np.isfinite(arr).all():
                raise ValueError(f"`{name}` {what} contain NaN or infinite entries")
    if min(wl) < 0.0:
        raise ValueError(
            f"`{name}` weights must be non-negative, smallest is {min(wl):.6g}"
        )
    total = math.fsum(wl)
    if abs(total - 1.0) > _SUM_TOL:
        raise ValueError(
            f"`{name}` weights must sum to 1, but they sum to {total:.10g}"
        )
    if d == 1 and k <= _SMALL_K:
        return _canonical_1d(wl, ml, vl, name)
    keep = weights > 0.0
    weights, means, covs = weights[keep], means[keep], covs[keep]
    if d == 1:  # a 1 x 1 matrix is symmetric; its factor is the square root
        if not (covs > 0.0).all():
            raise ValueError(
                f"a covariance of `{name}` is not positive definite (a variance "
                f"is {covs.min():.6g}); a singular covariance has no density"
            )
        chol = np.sqrt(covs)
    else:
        chol = _cholesky(covs, f"a covariance of `{name}`")
    # Canonical order (lexicographic in mean, then covariance) and duplicate
    # components merged: the result does not depend on how the components
    # were listed, and p == q is recognised.
    keys = np.concatenate([means, covs.reshape(covs.shape[0], -1)], axis=1)
    order = np.lexsort(keys.T[::-1])
    weights, means, covs, chol, keys = (
        a[order] for a in (weights, means, covs, chol, keys)
    )
    new = np.ones(weights.size, dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]).any(axis=1)
    if not new.all():
        starts = np.flatnonzero(new)
        # fsum: equal exact sums give equal weights (p == q is recognised)
        groups = np.split(weights, starts[1:])
        weights = np.array([math.fsum(grp.tolist()) for grp in groups])
        means, covs, chol = means[starts], covs[starts], chol[starts]
    if weights.size == 1:
        # One normal: its weight is 1 (it passed the sum check), not
        # 1 - 1e-16, so that the closed form comes out bit for bit.
        weights = np.ones(1)
    return _Mixture(weights, means, covs, chol)


def _log_pdf(mix: _Mixture, x: np.ndarray) -> np.ndarray:
    """Log-density of `mix` at the rows of `x`, by log-sum-exp over components.

    Mahalanobis terms come from triangular solves with the Cholesky factors.
    """
    k, d = mix.means.shape
    const = mix.log_weights - mix.half_logdet - 0.5 * d * _LOG_2PI
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _BLOCK):
        xb = x[start : start + _BLOCK]
        if d == 1:
            z = (xb[:, 0] - mix.means[:, :1]) / mix.chol[:, 0]  # (K, block)
            terms = const[:, None] - 0.5 * z * z
        else:
            terms = np.empty((k, xb.shape[0]))
            for j in range(k):
                y = scipy.linalg.solve_triangular(
                    mix.chol[j], (xb - mix.means[j]).T, lower=True, check_finite=False
                )
                terms[j] = const[j] - 0.5 * np.einsum("ij,ij->j", y, y)
        top = terms.max(axis=0)
        out[start : start + xb.shape[0]] = top + np.log(np.exp(terms - top).sum(axis=0))
    return out


def _sample(mix: _Mixture, n: int, gen: np.random.Generator) -> np.ndarray:
    """Draw `n` points from `mix` (component counts from a multinomial)."""
    counts = gen.multinomial(n, mix.weights)
    z = gen.standard_normal((n, mix.means.shape[1]))
    start = 0
    for j, c in enumerate(counts):
        block = z[start : start + c]
        z[start : start + c] = mix.means[j] + block @ mix.chol[j].T
        start += c
    return z


def _lse(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(sum(exp(a)))`` along `axis`; exact for a single term."""
    top = a.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(a - top).sum(axis=axis))


#: Up to this many pairs of 1-D components, `_pair_kl` loops in Python
#: floats (numpy's per-call overhead dominates such small arrays).
_SMALL_PAIRS = 64


def _pair_kl_1d_small(f: _Mixture, g: _Mixture) -> np.ndarray:
    """`_pair_kl` for d = 1 in Python floats: the scalar twins of `log_ratio`
    and `expm1mx` from `kltools._numerics`."""
    out = []
    for mf, sf in zip(f.means[:, 0].tolist(), f.chol[:, 0, 0].tolist(), strict=True):
        row = []
        for mg, sg in zip(
            g.means[:, 0].tolist(), g.chol[:, 0, 0].tolist(), strict=True
        ):
            e = expm1mx_scalar(2.0 * log_ratio_scalar(sf, sg))
            b = (mg - mf) / sg
            row.append(0.5 * (e + b * b))
        out.append(row)
    return np.array(out)


def _forward(low: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``low @ y = rhs`` for stacks of lower-triangular ``low``.

    Forward substitution, one row at a time across the whole stack:
    for the many small systems here it is about twice as fast as
    `numpy.linalg.solve` (an LU factorisation per matrix).
    """
    y = np.empty(np.broadcast_shapes(low.shape[:-2], rhs.shape[:-2]) + rhs.shape[-2:])
    for i in range(low.shape[-1]):
        acc = rhs[..., i, :]
        if i:
            acc = acc - (low[..., i : i + 1, :i] @ y[..., :i, :])[..., 0, :]
        y[..., i, :] = acc / low[..., i, i, None]
    return y


def _pair_kl(f: _Mixture, g: _Mixture) -> np.ndarray:
    """``D(f_a || g_b)`` for every pair of components, shape (Kf, Kg).

    The computation of `kl_mvnormal` (sum of non-negative terms from
    ``A = Lg^{-1} Lf`` and ``b = Lg^{-1} (mu_g - mu_f)``, no inverse formed);
    one pair of single normals goes through `kl_mvnormal`'s own code, so
    that case agrees with it bit for bit.
    """
    if f.weights.size == 1 and g.weights.size == 1:
        kl = mvnormal_nats(f.means[0], f.covs[0], g.means[0], g.covs[0])
        return np.reshape(kl, (1, 1))
    kf, d = f.means.shape
    kg = g.weights.size
    if d == 1 and kf * kg <= _SMALL_PAIRS:
        return _pair_kl_1d_small(f, g)
    if d == 1:  # scalar factors: the same formula without linear algebra
        sf, sg = f.chol[:, 0, 0][:, None], g.chol[:, 0, 0][None]
        b1 = (g.means[:, 0][None] - f.means[:, 0][:, None]) / sg
        return 0.5 * (expm1mx(2.0 * log_ratio(sf, sg)) + b1 * b1)
    # One solve per component of g, with every component of f as right-hand
    # sides: columns [L_fa - L_gb | mu_gb - mu_fa]. numpy's batched solve
    # (not a loop of scipy triangular solves) keeps small calls cheap.
    rhs = np.concatenate(
        [
            f.chol[None] - g.chol[:, None],
            (g.means[:, None] - f.means[None])[..., None],
        ],
        axis=-1,
    )  # (kg, kf, d, d + 1)
    sol = _forward(g.chol, rhs.transpose(0, 2, 1, 3).reshape(kg, d, kf * (d + 1)))
    sol = sol.reshape(kg, d, kf, d + 1).transpose(2, 0, 1, 3)  # (kf, kg, d, d+1)
    a, b = sol[..., :d], sol[..., d]
    off = np.tril(a, -1)
    u = log_ratio(
        np.diagonal(f.chol, axis1=-2, axis2=-1)[:, None],
        np.diagonal(g.chol, axis1=-2, axis2=-1)[None],
    )
    return 0.5 * (
        expm1mx(2.0 * u).sum(axis=-1)
        + (off * off).sum(axis=(-2, -1))
        + (b * b).sum(axis=-1)
    )


def _log_overlap(f: _Mixture, g: _Mixture) -> np.ndarray:
    """``log int f_a g_b = log N(mu_a; mu_b, S_a + S_b)``, shape (Kf, Kg)."""
    d = f.means.shape[1]
    if d == 1:
        var = f.covs[:, None, 0, 0] + g.covs[None, :, 0, 0]
        diff = f.means[:, None, 0] - g.means[None, :, 0]
        return -0.5 * (diff * diff / var + np.log(var) + _LOG_2PI)
    low = np.linalg.cholesky(f.covs[:, None] + g.covs[None])
    diff = (f.means[:, None] - g.means[None])[..., None]
    y = _forward(low, diff)
    half_logdet = np.log(np.diagonal(low, axis1=-2, axis2=-1)).sum(axis=-1)
    return -0.5 * (y * y).sum(axis=(-2, -1)) - half_logdet - 0.5 * d * _LOG_2PI


def _entropies(f: _Mixture) -> np.ndarray:
    """Differential entropy of each component of `f` in nats."""
    d = f.means.shape[1]
    return f.half_logdet + 0.5 * d * (1.0 + _LOG_2PI)


def _variational(f: _Mixture, g: _Mixture) -> float:
    num = _lse(f.log_weights - _pair_kl(f, f))
    den = _lse(g.log_weights - _pair_kl(f, g))
    return float(f.weights @ (num - den))


def _product(f: _Mixture, g: _Mixture) -> float:
    num = _lse(f.log_weights + _log_overlap(f, f))
    den = _lse(g.log_weights + _log_overlap(f, g))
    return float(f.weights @ (num - den))


def _matched(f: _Mixture, g: _Mixture) -> float:
    cost = _pair_kl(f, g) - g.log_weights
    best = cost.argmin(axis=1)
    rows = np.arange(cost.shape[0])
    return float(f.weights @ (cost[rows, best] + f.log_weights))


def _variational_upper(
    f: _Mixture, g: _Mixture, kl_fg: np.ndarray, max_iter: int = 200
) -> float:
    """Hershey-Olsen's variational upper bound, lowered by its fixed point.

    Parametrise the coupling by ``phi >= 0`` alone, with ``psi_ab =
    omega_b phi_ab / sum_a' phi_a'b`` (column sums ``omega``). After the
    optimal ``phi`` step for that ``psi`` the bound is ``sum_a pi_a (log
    pi_a - log sum_b psi_ab exp(-D_ab))``, so *every* ``phi >= 0`` with
    positive columns gives an upper bound, and the smallest one seen is
    returned. The map ``phi -> F(phi)`` is Hershey and Olsen's fixed-point
    step (from ``phi = pi omega^T`` it reproduces their iteration). It
    converges slowly when components overlap, so it is over-relaxed,
    ``phi <- phi (F(phi) / phi)^1.8``, which keeps ``phi >= 0`` (hence a
    bound) and takes a plain step after any step that did not lower the
    bound; it stops after two steps in a row that lower the bound by less
    than `_UPPER_STALL` relative (on 400 random 1-D pairs, within 1e-4 of
    the iteration's limit for 90 %, 6e-4 for 99 %, 1.8 % at worst; the
    bound is usually much farther than that from the divergence). Rows of ``exp(-D)`` are scaled by their largest entry, which the
    bound adds back, so they cannot underflow.
    """
    pi, om = f.weights, g.weights
    rowmin = kl_fg.min(axis=1)
    e = np.exp(rowmin[:, None] - kl_fg)
    offset = float(pi @ (np.log(pi) + rowmin))
    pi_col = pi[:, None]
    phi = np.outer(pi, om)
    best = previous = math.inf
    best_scale = 0.0
    stalls = 0
    # Rounding: a few eps on each term's magnitude (the entries of kl_fg that
    # matter are within a few units of their row's minimum) is added to the
    # best value, so that it stays an upper bound where the divergence is tiny.
    base_scale = pi @ (np.abs(np.log(pi)) + rowmin + 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            col = phi.sum(axis=0)
            s = phi * (e * (om / np.where(col > 0.0, col, 1.0)))
            row = s.sum(axis=1)
            # a row underflowing to 0 gives +inf, still a (useless) bound
            log_row = np.log(row)
            value = offset - float(pi @ log_row)
            stalls = 0 if value < best - _UPPER_STALL * abs(best) else stalls + 1
            if value < best:
                best, best_scale = value, float(base_scale + pi @ np.abs(log_row))
            if stalls == 2:
                break
            new = s * (pi_col / row[:, None])
            if value < previous:  # over-relax; a plain step after an overshoot
                new = phi * (new / np.where(phi > 0.0, phi, 1.0)) ** _OVER_RELAX
                new[~np.isfinite(new)] = 0.0
            previous, phi = value, new
    return best + _BOUND_ROUNDING * best_scale


def _upper(f: _Mixture, g: _Mixture) -> float:
    kl_fg = _pair_kl(f, g)
    cross = _lse(g.log_weights - kl_fg)  # log sum_b w_b exp(-D(f_a||g_b))
    # Upper bound on int f_a log f, plus H(f_a): min(0, H_a + log sum z).
    ent = _entropies(f)
    self_up = np.minimum(0.0, ent + _lse(f.log_weights + _log_overlap(f, f)))
    jensen = float(f.weights @ (self_up - cross))
    scale = float(f.weights @ (np.abs(ent) + np.abs(self_up) + np.abs(cross) + 1.0))
    jensen += _BOUND_ROUNDING * scale
    return min(jensen, _variational_upper(f, g, kl_fg))


def _jensen_lower(f: _Mixture, g: _Mixture) -> float:
    # int f_a log f >= lse_a'(log pi_a' - D_aa') - H_a, and
    # -H_a - int f_a log g >= gap_a, so D >= sum_a pi_a (lse_a + gap_a).
    self_low = _lse(f.log_weights - _pair_kl(f, f))
    if g.weights.size == 1:
        gap = _pair_kl(f, g)[:, 0]  # int f_a log g = -D_a1 - H_a, exactly
    else:
        gap = -_entropies(f) - _lse(g.log_weights + _log_overlap(f, g))
    return float(f.weights @ (self_low + gap))


#: Nodes of the test function, per component of the (projected) mixtures,
#: in its standard deviations; beyond the end nodes it is constant.
_DV_STEPS = np.array(
    [-8.0, -6.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]
)
#: Target error of the linear interpolant of log(p/q) on one interval
#: (where p holds mass there, relative where log(p/q) varies by less than 1
#: under p): intervals above it are split (`_DV_SPLITS` rounds).
_DV_TOL = 0.02
#: Most nodes after splitting (the component grids are thinned to half as
#: many first), in d = 1 and per direction in d > 1.
_DV_MAX_NODES = 1024
_DV_MAX_NODES_PROJECTED = 64
#: Rounds of splitting, in d = 1 and per direction in d > 1.
_DV_SPLITS = 2
_DV_SPLITS_PROJECTED = 0
#: Nodes are rounded to multiples of this many of the smallest standard
#: deviation (which drops near-duplicates and keeps every component
#: resolved, however different the scales).
_MIN_WIDTH = 1e-3
_EPS = float(np.finfo(np.float64).eps)
_LOG_1E_12 = math.log(1e-12)
#: The upper bound's iteration stops after two steps in a row that lower it
#: by less than this, relative.
_UPPER_STALL = 1e-5
#: The upper bound's over-relaxation: each step's multiplicative change in
#: the coupling is raised to this power.
_OVER_RELAX = 1.8
_EXP_COEFFS_REVERSED = _EXP_COEFFS[-2::-1]
#: Margin added to the upper bounds, in eps times the magnitude of their
#: terms: rounding cannot take them below the divergence.
_BOUND_ROUNDING = 32.0 * _EPS


def _dv_values(
    x: np.ndarray, mu: np.ndarray, sd: np.ndarray, logw: np.ndarray, kf: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At nodes `x` (components on axis -2 of ``x - mu``): the z-scores of
    every component, ``log(p/q)`` and ``log p`` (less a constant)."""
    z = (x - mu) / sd
    ld = logw - np.log(sd) - 0.5 * z * z
    lp = _lse(ld[..., :kf, :], axis=-2)
    return z, lp - _lse(ld[..., kf:, :], axis=-2), lp


def _dv_nodes(
    x: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    logw: np.ndarray,
    kf: int,
    max_nodes: int,
    splits: int = _DV_SPLITS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted distinct nodes on the rounding grid, split where ``log(p/q)``
    curves, with the z-scores of every component, ``log(p/q)`` and ``log p``
    (less a constant) there.

    Batched over a leading axis of `x` (D, N), `mu` and `sd` (D, K, 1):
    one row is deduplicated and split; several rows (projections, no
    splitting) keep the same number of nodes each, repeated nodes giving
    intervals of width 0.
    """
    if x.shape[0] > 1:
        if splits:
            raise ValueError("several rows of nodes cannot be split")
        unit = _MIN_WIDTH * sd.min(axis=(1, 2))[:, None]
        x = np.sort(np.round(x / unit), axis=1)
        if 2 * x.shape[1] > max_nodes:  # many components: thin out
            step = -(-2 * x.shape[1] // max_nodes)
            x = np.concatenate([x[:, :-1:step], x[:, -1:]], axis=1)
        x = x * unit
        return x, *_dv_values(x[:, None, :], mu, sd, logw, kf)  # z: (D, K, E)
    x, z, t, lp = _dv_nodes_1(x[0], mu[0], sd[0], logw, kf, max_nodes, splits)
    return x[None], z[None], t[None], lp[None]


def _dv_nodes_1(
    x: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    logw: np.ndarray,
    kf: int,
    max_nodes: int,
    splits: int = _DV_SPLITS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_dv_nodes` for one row: `x` (N,), `mu` and `sd` (K, 1)."""
    unit = _MIN_WIDTH * sd.min()
    x = np.sort(np.round(x / unit))
    for rnd in range(splits + 1):
        keep = np.empty(x.size, dtype=bool)
        keep[0] = True
        np.not_equal(x[1:], x[:-1], out=keep[1:])
        x = x[keep] * unit
        if rnd == 0 and 2 * x.size > max_nodes:  # many components: thin out
            x = np.append(x[: -1 : -(-2 * x.size // max_nodes)], x[-1])
        z, t, lp = _dv_values(x, mu, sd, logw, kf)  # z: (Kf + Kg, E)
        if rnd == splits or x.size < 3:
            break
        # |(log p/q)''| from divided differences; the linear interpolant is
        # off by at most h^2 |t''| / 8 on an interval of width h.
        h = x[1:] - x[:-1]
        slope = (t[1:] - t[:-1]) / h
        dd = np.abs(slope[1:] - slope[:-1]) * (2.0 / (h[1:] + h[:-1]))
        curv = np.empty(h.size)
        curv[0], curv[-1] = dd[0], dd[-1]
        np.maximum(dd[1:], dd[:-1], out=curv[1:-1])
        err = 0.125 * curv * h * h
        mass = np.exp(np.maximum(lp[1:], lp[:-1]) - 0.5 * _LOG_2PI) * h
        # The tolerance is relative where log(p/q) varies by less than 1
        # under p (nearly equal mixtures, a small divergence).
        mid = 0.5 * (t[1:] + t[:-1])
        centre = (mass @ mid) / mass.sum()
        spread = math.sqrt((mass @ (mid - centre) ** 2) / mass.sum())
        tol = _DV_TOL * min(1.0, max(spread, 1e-6))
        # An interval matters where p has mass (E_p[T]) and, with the error
        # in the exponent, where q e^T = p e^(T - log p/q) does: a far tail of
        # p with a steep log q (p's mass 1e-16, T off by 2000 there) would
        # otherwise make E_q[e^T] astronomical. Both: p's mass times
        # expm1(err), in logs, above 1e-12.
        with np.errstate(divide="ignore"):
            log_excess = np.where(
                err < 30.0, np.log(np.expm1(np.minimum(err, 30.0))), err
            )
        log_mass = np.maximum(lp[1:], lp[:-1]) - 0.5 * _LOG_2PI + np.log(h)
        pieces = np.where(
            (err > tol) & (log_mass + log_excess > _LOG_1E_12),
            np.ceil(np.sqrt(err / tol)),
            1.0,
        )
        if pieces.max() == 1.0:
            break
        total = pieces.sum() + 1.0
        if total > max_nodes:
            pieces = np.maximum(np.floor(pieces * (max_nodes / total)), 1.0)
        pieces = pieces.astype(int)
        reps = np.repeat(np.arange(pieces.size), pieces)
        frac = np.arange(reps.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        x = np.append(x[reps] + h[reps] * frac / pieces[reps], x[-1])
        x = np.round(x / unit)  # sorted already
    return x, z, t, lp


def _dv_lower(
    wf: np.ndarray,
    mf: np.ndarray,
    sf: np.ndarray,
    wg: np.ndarray,
    mg: np.ndarray,
    sg: np.ndarray,
    max_nodes: int = _DV_MAX_NODES,
    splits: int = _DV_SPLITS,
) -> Any:
    r"""A proven lower bound on the KL between two 1-D mixtures.

    Weights, means and standard deviations of each side: a float for
    means and deviations of shape (K,); for shape (D, K), D pairs of
    mixtures with the same weights at once (the projections of one pair
    onto D directions, `splits` = 0), an array of D bounds. By the
    Donsker-Varadhan formula, ``D(p || q) >= E_p[T] - log E_q[exp T]`` for
    every function ``T``; here ``T`` interpolates ``log(p/q)`` linearly
    between nodes (constant beyond the end ones), for which both
    expectations are sums of normal integrals in closed form: on an
    interval with ``T = t_a + s (x - x_a)``, anchored at the end ``x_a``
    where p is larger,

    * ``int f T = t_a M + s sigma (phi(z_l) - phi(z_u) - z_a M)``, ``M`` the
      interval's probability under ``f = N(mu, sigma^2)``;
    * ``int g exp(T)`` for ``g = N(mu, sigma^2)`` is the integral of the
      exponential of a concave quadratic: the log-integrand at the anchor
      plus the log of a normal integral in erfcx form (see the code), so
      that no two large exponents cancel however steep ``T`` is.

    A margin for rounding is subtracted, bounded term by term: for
    ``E_p[T]`` from the errors of the tail probabilities and densities at
    the nodes (a few eps relative, and eps z^2 from the z-scores) through
    the differences and products; for ``log E_q[exp T]`` the average,
    weighted by the terms, of each term's error (a few eps of its
    exponent's parts); each normal integral there is replaced by an upper
    bound (its computed value plus its rounding error), so that ``E_q[exp
    T]`` is never under-estimated.
    """
    single = mf.ndim == 1
    if single:
        mf, sf, mg, sg = mf[None], sf[None], mg[None], sg[None]
    kf = wf.size
    mu = np.concatenate([mf, mg], axis=1)[..., None]  # (D, K, 1)
    sd = np.concatenate([sf, sg], axis=1)[..., None]
    logw = np.log(np.concatenate([wf, wg]))[:, None]
    steps = (mu + sd * _DV_STEPS).reshape(mu.shape[0], -1)
    x, z, t, lp = _dv_nodes(steps, mu, sd, logw, kf, max_nodes, splits)
    dx = x[:, 1:] - x[:, :-1]  # (D, E - 1); 0 only between repeated nodes
    # slopes (0 on an interval of width 0); T = t[0], t[-1] beyond the ends
    s = np.divide(t[:, 1:] - t[:, :-1], dx, out=np.zeros_like(dx), where=dx > 0.0)
    # On each interval T = t_a + s (x - x_a), anchored at the end where p
    # is larger: both integrands (p T and q exp T, which is p at the nodes)
    # sit there, and a T that spans a huge range elsewhere (p's far tail)
    # does not cancel against itself. T is any function; it need not be
    # continuous, only the same in both expectations.
    at_u = lp[:, 1:] > lp[:, :-1]
    t_a = np.where(at_u, t[:, 1:], t[:, :-1])
    t_ends = t[:, [0, -1]]
    at_uk = at_u[:, None]  # over components
    # E_p[T]: masses from the smaller tail at each node, so that tails stay
    # relatively accurate. Rounding is bounded elementwise: ndtr and exp are
    # relatively accurate to a few eps, and z carries eps |z| (a relative
    # eps z^2 in either); masses that underflow hold under 2.3e-308 each.
    zf = z[:, :kf]
    z2 = zf * zf
    tail = ndtr(-np.abs(zf))
    phi = np.exp(-0.5 * z2 - 0.5 * _LOG_2PI)
    rel = _EPS * (8.0 + 2.0 * z2)
    err_tail, err_phi = rel * tail, rel * phi
    cl, cu, zl = tail[..., :-1], tail[..., 1:], zf[..., :-1]
    m_in = np.where(
        zl >= 0.0, cl - cu, np.where(zf[..., 1:] <= 0.0, cu - cl, 1.0 - cl - cu)
    )
    err_m = err_tail[..., :-1] + err_tail[..., 1:] + 4.0 * _EPS * (m_in + cl + cu)
    # Every component's -8 and +8 deviations are nodes (splitting and
    # thinning keep the end nodes), so both end bins are tails of each.
    ends_p, err_ends_p = tail[..., [0, -1]], err_tail[..., [0, -1]]
    sig = sf[..., None]
    za = np.where(at_uk, zf[..., 1:], zl)
    aza = np.abs(za)
    first = sig * (phi[..., :-1] - phi[..., 1:] - za * m_in)  # int (x - x_a) f
    err_first = sig * (
        err_phi[..., :-1]
        + err_phi[..., 1:]
        + aza * err_m
        + 4.0 * _EPS * (phi[..., :-1] + phi[..., 1:] + aza * m_in)
    )
    ata, a_s, at_ends = np.abs(t_a), np.abs(s), np.abs(t_ends)
    e_p = (_rows(ends_p, t_ends) + _rows(m_in, t_a) + _rows(first, s)) @ wf
    scale_p = (
        _rows(ends_p, at_ends) + _rows(m_in, ata) + _rows(np.abs(first), a_s)
    ) @ wf
    err_p = (
        _rows(err_ends_p, at_ends) + _rows(err_m, ata) + _rows(err_first, a_s)
    ) @ wf
    err_p += _EPS * (16.0 + x.shape[1]) * scale_p  # products and sums
    err_p += 1e-303 * (np.abs(t).max(axis=1) + a_s.max(axis=1) * sf.max(axis=1))
    # log E_q[exp T], term by term in log space. On an interval g_b exp(T)
    # is the exponential of a concave quadratic, with its peak at the
    # shifted mean mu_b + s sigma_b^2: z-scores `lo`, `hi` of the interval's
    # ends from there. With u < v the two on the side of the peak away from
    # the interval (u = lo right of the peak, u = -hi left of it),
    # int = sigma sqrt(2 pi) exp(a_peak_end) B, B = exp(u^2 / 2) (Q(u) -
    # Q(v)) = (erfcx(u') - exp(-h (u + v) / 2) erfcx(v')) / 2, u' = u /
    # sqrt 2, h = v - u; a_end = T + log g_b at an end. B is replaced by an
    # upper bound (its computed value plus its rounding error, and at most
    # h / sqrt(2 pi): the integrand is at most its value at the peak end),
    # so E_q[exp T] is never under-estimated; anchored at x_a, the other
    # end's exponent differs by h (u + v) / 2.
    zg, sig_g, lgw = z[:, kf:], sd[:, kf:], logw[kf:]
    width = dx[:, None] / sig_g
    lo = zg[..., :-1] - s[:, None] * sig_g
    hi = lo + width
    straddle = (lo < 0.0) & (hi > 0.0)
    right = lo >= 0.0
    u = np.where(right, lo, np.where(straddle, 0.0, -hi))
    v = u + width
    # the arguments' rounding: a few eps of |z| and |s sigma|
    arg = 2.0 * _EPS * (np.abs(zg[..., :-1]) + np.abs(lo) + width + 1.0)
    e_u, e_v = erfcx(u * _SQRT_HALF), erfcx(v * _SQRT_HALF)
    rise = 0.5 * width * (u + v)
    bracket = (e_u - e_v) + e_v * -np.expm1(-rise)
    # erfcx and expm1 to a few eps; |d log erfcx(x) / dx| <= 2 / sqrt(pi)
    err_b = (8.0 * _EPS + 2.4 * arg) * (e_u + e_v) + 4.0 * _EPS * e_v * (
        1.0 + 2.0 * rise
    )
    b_up = np.minimum(0.5 * (bracket + err_b), width * _INV_SQRT_2PI)
    # (an interval of width 0 holds nothing: log 0 = -inf, weight 0 below)
    log_b = np.log(b_up, out=np.full_like(b_up, -np.inf), where=b_up > 0.0)
    # the peak end is x_l right of the peak, x_u left of it
    log_b += np.where((right & at_uk) | (~right & ~straddle & ~at_uk), rise, 0.0)
    # straddling the peak: Phi(hi) - Phi(lo) from the two tails (one minus
    # two tails, to 4 eps and the arguments' error), times exp(y_a^2 / 2)
    mass = np.maximum(1.0 - ndtr(-hi) - ndtr(lo), 0.0)
    y_a = np.where(at_uk, hi, lo)
    with np.errstate(divide="ignore"):
        log_mid = 0.5 * y_a * y_a + np.log(np.minimum(mass + 4.0 * _EPS + arg, 1.0))
    z_a = np.where(at_uk, zg[..., 1:], zg[..., :-1])
    anchor = t_a[:, None] - 0.5 * z_a * z_a
    inner = anchor + np.where(straddle, log_mid, log_b)
    zends = zg[..., [0, -1]] * [1.0, -1.0]
    ends = log_ndtr(zends)
    terms = np.concatenate([inner, ends + t_ends[:, None]], axis=-1) + lgw
    # the rest of each term's rounding: a few eps of its exponent's parts
    errs = (
        8.0
        * _EPS
        * (
            np.concatenate(
                [
                    ata[:, None]
                    + 0.5 * z_a * z_a
                    + rise
                    + np.abs(np.where(straddle, log_mid, log_b))
                    + 1.0,
                    np.abs(ends) + at_ends[:, None] + (np.abs(zends) + 1.0) ** 2,
                ],
                axis=-1,
            )
            + np.abs(lgw)
        )
    )
    top = terms.max(axis=(1, 2))
    weight = np.exp(terms - top[:, None, None])
    total = weight.sum(axis=(1, 2))
    log_e_q = top + np.log(total)
    # the terms' errors, weighted by them; the sum of the weights (pairwise)
    # (terms of weight 0 drop out, even where their error is infinite)
    err_q = (weight * np.where(weight > 0.0, errs, 0.0)).sum(axis=(1, 2)) / total
    err_q += _EPS * (16.0 + math.log2(terms[0].size) + np.abs(log_e_q))
    bound = e_p - log_e_q - err_p - err_q - 1e-300
    return float(bound[0]) if single else bound


def _rows(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``sum_e a[d, k, e] v[d, e]``: per row of a batch, shape (D, K)."""
    return (a @ v[..., None])[..., 0]


def _directions(f: _Mixture, g: _Mixture) -> np.ndarray:
    """Unit directions (rows) onto which the mixtures are projected, d > 1.

    The mean difference whitened by the average covariance (Fisher's
    discriminant direction), the generalised eigenvectors of the two
    overall covariances with the largest and smallest variance ratio, and
    the leading principal axis of each mixture's component means.
    """
    mean_f, mean_g = f.weights @ f.means, g.weights @ g.means
    cen_f, cen_g = f.means - mean_f, g.means - mean_g
    scat_f = np.einsum("a,ai,aj->ij", f.weights, cen_f, cen_f)
    scat_g = np.einsum("b,bi,bj->ij", g.weights, cen_g, cen_g)
    cov_f = np.einsum("a,aij->ij", f.weights, f.covs) + scat_f
    cov_g = np.einsum("b,bij->ij", g.weights, g.covs) + scat_g
    rows = [np.linalg.solve(cov_f + cov_g, mean_f - mean_g)]
    _, vecs = scipy.linalg.eigh(cov_f, cov_g)
    rows += [vecs[:, 0], vecs[:, -1]]
    for scat in (scat_f, scat_g):
        rows.append(np.linalg.eigh(scat)[1][:, -1])
    w = np.array(rows)
    norm = np.linalg.norm(w, axis=1)
    keep = norm > 0.0
    return w[keep] / norm[keep, None]


def _lower(f: _Mixture, g: _Mixture) -> float:
    # (one component on each side never gets here: kl_gmm returns the
    # closed form, which Jensen's bound equals)
    d = f.means.shape[1]
    if d == 1:  # the Donsker-Varadhan bound alone: Jensen's is far below it
        wf, mf, sf = f.weights, f.means[:, 0], f.chol[:, 0, 0]
        return _dv_lower(wf, mf, sf, g.weights, g.means[:, 0], g.chol[:, 0, 0])
    dirs = _directions(f, g)  # (D, d)
    # every direction at once; fewer nodes each (several directions, many
    # components)
    bounds = _dv_lower(
        f.weights,
        dirs @ f.means.T,
        np.sqrt(np.einsum("di,kij,dj->dk", dirs, f.covs, dirs)),
        g.weights,
        dirs @ g.means.T,
        np.sqrt(np.einsum("di,kij,dj->dk", dirs, g.covs, dirs)),
        _DV_MAX_NODES_PROJECTED,
        _DV_SPLITS_PROJECTED,
    )
    return max(_jensen_lower(f, g), float(bounds.max()))


def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


_GL_X, _GL_W = _gauss_legendre(16)

#: Relative rounding error of a log-density from `_log_pdf`, in units of
#: (|log p| + 1): a few ulps from the quadratic form, the log-sum-exp and
#: the constant.
_ROUNDING = 8.0 * _EPS
#: `_exact_1d` gives up (with an error, never a wrong value) beyond this
#: many intervals to bisect at once.
_MAX_INTERVALS = 1 << 16


def _exact_1d(f: _Mixture, g: _Mixture, rtol: float = 1e-10) -> float:
    r"""``int p log(p/q) - p + q`` by adaptive Gauss-Legendre quadrature.

    The integrand is non-negative, so a relative tolerance on the sum is a
    relative tolerance on the divergence.
    """
    mu = np.concatenate([f.means[:, 0], g.means[:, 0]])
    sd = np.concatenate([f.chol[:, 0, 0], g.chol[:, 0, 0]])
    steps = np.array([-40, -20, -10, -6, -3, -1.5, 0, 1.5, 3, 6, 10, 20, 40.0])
    edges = np.unique((mu[:, None] + sd[:, None] * steps).ravel())
    a, b = edges[:-1], edges[1:]

    def integrand(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lp = _log_pdf(f, x.reshape(-1, 1))
        lq = _log_pdf(g, x.reshape(-1, 1))
        t = lq - lp
        with np.errstate(over="ignore", invalid="ignore"):
            near = np.exp(lp) * expm1mx(np.minimum(t, 700.0))
            far = np.exp(lq) - np.exp(lp) * (1.0 + t)
        value = np.where(t < 700.0, near, far)
        # Rounding: lp and lq each carry an error of a few eps (|log| + 1),
        # and the integrand's derivative in t is q - p, so the integrand
        # carries |q - p| times the error of t. Where p and q nearly agree
        # this, not the rule, limits the accuracy.
        noise = np.abs(np.exp(lq) - np.exp(lp)) * (np.abs(lp) + np.abs(lq) + 2.0)
        return value.reshape(x.shape), _ROUNDING * noise.reshape(x.shape)

    def rule(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        half = 0.5 * (hi - lo)
        x = 0.5 * (hi + lo)[:, None] + half[:, None] * _GL_X
        value, noise = integrand(x)
        return half * (value @ _GL_W), half * (noise @ _GL_W)

    done = 0.0
    for _ in range(100):
        mid = 0.5 * (a + b)
        whole, noise_whole = rule(a, b)
        (left, noise_left), (right, noise_right) = rule(a, mid), rule(mid, b)
        halves = left + right
        err = np.abs(whole - halves)
        # The two estimates differ by rounding alone up to the sum of their
        # rounding errors: below that, bisecting cannot help.
        floor = noise_whole + noise_left + noise_right
        total = done + halves.sum()
        if err.sum() <= rtol * total + floor.sum():
            return float(total)
        # Keep intervals whose error is negligible; bisect the others.
        ok = err <= rtol * total / err.size + floor
        done += halves[ok].sum()
        a, b, mid = a[~ok], b[~ok], mid[~ok]
        if a.size > _MAX_INTERVALS:  # pragma: no cover
            break
        a, b = np.concatenate([a, mid]), np.concatenate([mid, b])
    raise RuntimeError("adaptive quadrature did not converge")  # pragma: no cover


# --- scalar kernels for small 1-D mixtures ---------------------------------
# numpy's per-call cost dominates arrays of a few entries: up to `_SMALL_K`
# components in d = 1, the approximations and the upper bound loop over
# Python floats (the same formulas as the array kernels above).

#: Weights, means and standard deviations of a small 1-D mixture.
_Small = tuple[list[float], list[float], list[float]]


def _kl_1d(mf: float, sf: float, mg: float, sg: float) -> float:
    """``D(N(mf, sf^2) || N(mg, sg^2))``: `_pair_kl`'s formula in floats."""
    r = (sf - sg) / sg
    u = math.log1p(r) if abs(r) < 0.5 else math.log(sf) - math.log(sg)
    x = 2.0 * u
    if abs(x) < 0.5:  # e^x - 1 - x by its series (no cancellation)
        acc = _EXP_COEFFS[-1]
        for c in _EXP_COEFFS_REVERSED:
            acc = acc * x + c
        e = x * x * acc
    else:
        e = math.expm1(x) - x
    b = (mg - mf) / sg
    return 0.5 * (e + b * b)


def _kl_rows(f: _Small, g: _Small) -> list[list[float]]:
    """``D(f_a || g_b)`` for every pair, as rows over ``a``."""
    return [
        [_kl_1d(mf, sf, mg, sg) for mg, sg in zip(g[1], g[2], strict=True)]
        for mf, sf in zip(f[1], f[2], strict=True)
    ]


def _lse_list(values: list[float]) -> float:
    top = max(values)
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def _small_variational(fm: _Mixture, gm: _Mixture) -> float:
    f, g = fm.small, gm.small
    assert f is not None and g is not None
    lf = [math.log(w) for w in f[0]]
    lg = [math.log(w) for w in g[0]]
    total = 0.0
    for pa, dff, dfg in zip(f[0], _kl_rows(f, f), _kl_rows(f, g), strict=True):
        num = _lse_list([lw - d for lw, d in zip(lf, dff, strict=True)])
        den = _lse_list([lw - d for lw, d in zip(lg, dfg, strict=True)])
        total += pa * (num - den)
    return total


def _log_overlaps(f: _Small, g: _Small) -> list[list[float]]:
    """``log int f_a g_b``, as rows over ``a``."""
    out = []
    for mf, sf in zip(f[1], f[2], strict=True):
        row = []
        for mg, sg in zip(g[1], g[2], strict=True):
            var = sf * sf + sg * sg
            diff = mf - mg
            row.append(-0.5 * (diff * diff / var + math.log(var) + _LOG_2PI))
        out.append(row)
    return out


def _small_product(fm: _Mixture, gm: _Mixture) -> float:
    f, g = fm.small, gm.small
    assert f is not None and g is not None
    lf = [math.log(w) for w in f[0]]
    lg = [math.log(w) for w in g[0]]
    total = 0.0
    for pa, off, ofg in zip(
        f[0], _log_overlaps(f, f), _log_overlaps(f, g), strict=True
    ):
        num = _lse_list([lw + o for lw, o in zip(lf, off, strict=True)])
        den = _lse_list([lw + o for lw, o in zip(lg, ofg, strict=True)])
        total += pa * (num - den)
    return total


def _small_matched(fm: _Mixture, gm: _Mixture) -> float:
    f, g = fm.small, gm.small
    assert f is not None and g is not None
    lg = [math.log(w) for w in g[0]]
    total = 0.0
    for pa, row in zip(f[0], _kl_rows(f, g), strict=True):
        total += pa * (
            min(d - lw for d, lw in zip(row, lg, strict=True)) + math.log(pa)
        )
    return total


def _small_upper(f: _Mixture, g: _Mixture) -> float:
    """`_upper` in Python floats."""
    fs, gs = f.small, g.small
    assert fs is not None and gs is not None
    kl_fg = _kl_rows(fs, gs)
    lg = [math.log(w) for w in gs[0]]
    lf = [math.log(w) for w in fs[0]]
    jensen = scale = 0.0
    for pa, sa, row, off in zip(
        fs[0], fs[2], kl_fg, _log_overlaps(fs, fs), strict=True
    ):
        cross = _lse_list([lw - d for lw, d in zip(lg, row, strict=True)])
        ent = math.log(sa) + 0.5 * (1.0 + _LOG_2PI)
        self_up = min(
            0.0, ent + _lse_list([lw + o for lw, o in zip(lf, off, strict=True)])
        )
        jensen += pa * (self_up - cross)
        scale += pa * (abs(ent) + abs(self_up) + abs(cross) + 1.0)
    jensen += _BOUND_ROUNDING * scale
    return min(jensen, _small_variational_upper(fs[0], gs[0], kl_fg))


def _relaxed(old: float, new: float) -> float:
    """``old (new / old)^1.8``, 0 where ``old`` is 0 or the power overflows
    (`_variational_upper`'s over-relaxed step for one entry)."""
    if old <= 0.0:
        return 0.0
    try:
        value = old * (new / old) ** _OVER_RELAX
    except OverflowError:
        return 0.0
    return value if value < math.inf else 0.0


def _small_variational_upper(
    pi: list[float], om: list[float], kl_fg: list[list[float]], max_iter: int = 200
) -> float:
    """`_variational_upper` in Python floats: the same steps, stopping rule
    and rounding margin, on lists of rows."""
    rowmin = [min(row) for row in kl_fg]
    e = [[math.exp(m - d) for d in row] for m, row in zip(rowmin, kl_fg, strict=True)]
    log_pi = [math.log(w) for w in pi]
    offset = math.fsum(
        w * (lw + m) for w, lw, m in zip(pi, log_pi, rowmin, strict=True)
    )
    base_scale = math.fsum(
        w * (abs(lw) + m + 1.0) for w, lw, m in zip(pi, log_pi, rowmin, strict=True)
    )
    phi = [[w * o for o in om] for w in pi]
    best = previous = math.inf
    best_scale = 0.0
    stalls = 0
    for _ in range(max_iter):
        col = [
            o / c if c > 0.0 else o
            for o, c in zip(om, map(sum, zip(*phi, strict=True)), strict=True)
        ]
        s = [
            [x * y * c for x, y, c in zip(pr, er, col, strict=True)]
            for pr, er in zip(phi, e, strict=True)
        ]
        row = [sum(r) for r in s]
        if min(row) <= 0.0:  # a row underflowed: +inf, no better bound
            break
        log_row = [math.log(r) for r in row]
        value = offset - sum(map(operator.mul, pi, log_row))
        stalls = 0 if value < best - _UPPER_STALL * abs(best) else stalls + 1
        if value < best:
            best = value
            best_scale = base_scale + sum(
                w * abs(lr) for w, lr in zip(pi, log_row, strict=True)
            )
        if stalls == 2:
            break
        new = [[x * (w / r) for x in sr] for sr, w, r in zip(s, pi, row, strict=True)]
        if value < previous:
            try:  # entries are at most 1 after the plain step: only the power
                new = [  # can overflow (then `_relaxed` sets the entry to 0)
                    [
                        x * (y / x) ** _OVER_RELAX if x > 0.0 else 0.0
                        for x, y in zip(pr, nr, strict=True)
                    ]
                    for pr, nr in zip(phi, new, strict=True)
                ]
            except OverflowError:
                new = [
                    list(map(_relaxed, pr, nr)) for pr, nr in zip(phi, new, strict=True)
                ]
        previous, phi = value, new
    return best + _BOUND_ROUNDING * best_scale


_SMALL_METHODS = {
    "variational": _small_variational,
    "product": _small_product,
    "matched": _small_matched,
    "upper": _small_upper,
}


def kl_gmm(
    p: Any,
    q: Any,
    *,
    method: str = "monte_carlo",
    n: int = 100_000,
    rng: int | np.random.Generator | None = None,
    base: float | None = None,
) -> float | MonteCarloResult:
    r"""Compute or bound the KL divergence between two Gaussian mixtures.

    Parameters
    ----------
    p, q : tuple, fitted scikit-learn mixture or scipy.stats.Mixture
        The mixtures :math:`p = \sum_a \pi_a N(\mu_a, \Sigma_a)` and
        :math:`q = \sum_b \omega_b N(\nu_b, \Lambda_b)`, each given as

        - a tuple ``(weights, means, covariances)`` of shapes ``(K,)``,
          ``(K, d)`` and ``(K, d, d)``: full covariance matrices, also for
          ``d = 1`` (variances, not standard deviations);
        - a fitted ``sklearn.mixture.GaussianMixture`` or
          ``BayesianGaussianMixture`` of any ``covariance_type``, read
          through ``weights_``, ``means_`` and ``covariances_``;
        - a ``scipy.stats.Mixture`` whose components are
          ``scipy.stats.Normal`` (``d = 1``).

        The two may have different numbers of components but must have the
        same dimension ``d``.
    method : str, optional
        ``"monte_carlo"`` (default): an unbiased estimate with its standard
        error. ``"variational"``, ``"product"``, ``"matched"``:
        approximations (neither bounds nor estimates). ``"upper"``,
        ``"lower"``: proven bounds. ``"exact"``: the divergence by adaptive
        quadrature, for ``d = 1`` only.
    n : int, optional
        Number of samples from `p` for ``"monte_carlo"`` (at least 2);
        ignored otherwise.
    rng : None, int or numpy.random.Generator, optional
        Randomness for ``"monte_carlo"``, passed to
        `numpy.random.default_rng`; ignored otherwise.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.

    Returns
    -------
    float or MonteCarloResult
        A `MonteCarloResult` (``value``, ``stderr``, ``n``) for
        ``"monte_carlo"``, a float otherwise.

    Raises
    ------
    TypeError
        If `p` or `q` is none of the accepted kinds, a ``scipy.stats``
        component is not a normal, or `n`/`rng` has the wrong type.
    ValueError
        If weights are negative or do not sum to 1 (within ``sqrt(eps)``;
        they are never renormalised), shapes are inconsistent, a covariance
        is not symmetric positive definite, `p` and `q` differ in
        dimension, a scikit-learn mixture is not fitted, `method` is
        unknown, ``"exact"`` is asked for ``d > 1``, or `n`, `rng` or
        `base` is invalid. Messages name the argument.

    See Also
    --------
    kl_mvnormal : the closed form for one component on each side.
    kl_monte_carlo : Monte Carlo for frozen scipy.stats distributions.

    Notes
    -----
    Write :math:`D_{ab} = D(p_a \| q_b)` and :math:`D_{aa'} = D(p_a \|
    p_{a'})` for the closed-form divergences between components,
    :math:`z_{aa'} = \int p_a p_{a'}` and :math:`t_{ab} = \int p_a q_b`
    for the Gaussian overlaps (:math:`N(\mu_a; \nu_b, \Sigma_a +
    \Lambda_b)`), and :math:`H_a` for the entropy of :math:`p_a`. No
    closed form exists for :math:`D(p \| q)` once a side has two
    components.

    *Monte Carlo* draws :math:`x_i \sim p` and averages
    :math:`\log p(x_i) - \log q(x_i)`, the log-densities by log-sum-exp
    over components with Mahalanobis terms from triangular solves with the
    Cholesky factors (no inverse is formed). The estimate is unbiased and
    not clamped; ``stderr`` is the sample standard deviation over
    :math:`\sqrt n`.

    *Approximations* [1]_, [2]_ (none is a bound; each can be above or
    below the truth, and the first two can be negative):

    .. math::

        D_{\mathrm{var}} = \sum_a \pi_a \log
        \frac{\sum_{a'} \pi_{a'} e^{-D_{aa'}}}{\sum_b \omega_b e^{-D_{ab}}},
        \qquad
        D_{\mathrm{prod}} = \sum_a \pi_a \log
        \frac{\sum_{a'} \pi_{a'} z_{aa'}}{\sum_b \omega_b t_{ab}},

    and Goldberger's matched approximation
    :math:`\sum_a \pi_a (D_{a m(a)} + \log(\pi_a / \omega_{m(a)}))` with
    :math:`m(a) = \arg\min_b (D_{ab} - \log \omega_b)`. :math:`D_{\mathrm{var}}`
    and the matched approximation equal the closed form for single
    Gaussians; :math:`D_{\mathrm{prod}}` does not (for
    :math:`N(0, 1)` against :math:`N(\mu, 1)` it gives :math:`\mu^2/4`,
    half the divergence), a known property of that approximation [1]_.

    *Bounds*, valid for every pair of mixtures. ``"upper"`` is the smaller
    of two upper bounds. (i) Hershey and Olsen's variational upper bound
    [1]_: for any coupling :math:`\phi_{ab}, \psi_{ab} \ge 0` with
    :math:`\sum_b \phi_{ab} = \pi_a` and :math:`\sum_a \psi_{ab} = \omega_b`,
    joint convexity of KL (the log-sum inequality) gives
    :math:`D(p \| q) \le \sum_{ab} \phi_{ab} (\log(\phi_{ab}/\psi_{ab}) +
    D_{ab})`; it is minimised by their fixed-point iteration from
    :math:`\phi = \psi = \pi \omega^\top`, over-relaxed (each step's
    multiplicative change raised to the power 1.8, a plain step after any
    step that did not lower the bound) and stopped after two steps in a
    row that lower it by less than :math:`10^{-5}` relative (or 200
    steps); every iterate is a feasible coupling, hence a bound, and the
    smallest is returned. (ii) The bound of Durrieu, Thiran and Kelly
    [3]_ from Jensen's inequality on the two entropies: :math:`\int p_a
    \log q \ge \log \sum_b \omega_b e^{-D_{ab} - H_a}` (concavity of the
    log) and, by Gibbs' inequality and Jensen's,

    .. math::

        \int p_a \log p \le \min\Big(-H_a,
        \log \textstyle\sum_{a'} \pi_{a'} z_{aa'}\Big),

    so

    .. math::

        D(p \| q) \le \sum_a \pi_a \Big[\min\big(0, H_a + \log
        \textstyle\sum_{a'} \pi_{a'} z_{aa'}\big)
        - \log \textstyle\sum_b \omega_b e^{-D_{ab}}\Big].

    ``"lower"`` is the largest of several lower bounds, and of 0
    (:math:`D \ge 0`): (ii) alone in ``d = 1``, where (i) is far below it,
    and (i) and (ii) in ``d > 1``. (i) Durrieu, Thiran and Kelly's bound [3]_,
    :math:`\int p_a \log p \ge \log \sum_{a'} \pi_{a'} e^{-D_{aa'}} - H_a`
    and :math:`\int p_a \log q \le \log \sum_b \omega_b t_{ab}` (Jensen),
    so :math:`D(p \| q) \ge \sum_a \pi_a [\log \sum_{a'} \pi_{a'}
    e^{-D_{aa'}} - H_a - \log \sum_b \omega_b t_{ab}]`; when `q` has one
    component the exact :math:`\int p_a \log q = -D_{a1} - H_a` replaces
    the Jensen term. It is often below 0 when the divergence is small.
    (ii) The data-processing inequality [4]_ and the Donsker-Varadhan
    formula [5]_. For a direction :math:`w`, the images of `p` and `q`
    under :math:`x \mapsto w^\top x` are the 1-D mixtures with weights
    :math:`\pi_a`, means :math:`w^\top \mu_a` and variances :math:`w^\top
    \Sigma_a w` (and :math:`\omega_b`, :math:`w^\top \nu_b`, :math:`w^\top
    \Lambda_b w`), whose divergence is at most :math:`D(p \| q)`. For any
    function :math:`T` on the line, :math:`D(p \| q) \ge E_p[T] - \log
    E_q[e^T]` (equality at :math:`T = \log(p/q)`). Here :math:`T`
    interpolates :math:`\log(p/q)` of the projected mixtures linearly
    between nodes and is constant beyond the end nodes; then both
    expectations are sums of normal integrals in closed form
    (truncated-normal first moments for :math:`E_p[T]`; for
    :math:`E_q[e^T]`, completing the square turns :math:`g_b e^{s x}` into
    a shifted normal), with no quadrature and no sampling. The nodes are
    every standard deviation of every projected component out to 4, and
    6 and 8, rounded to a grid of 0.001 of the smallest deviation; an
    interval on which the interpolant may be off by more than 0.02
    (:math:`h^2 |(\log p/q)''| / 8` from divided differences; relative to
    the spread of :math:`\log(p/q)` under `p` where that is below 1) is
    split where that matters, where `p`'s mass on it times the expm1 of
    that error is above :math:`10^{-12}` (an error in :math:`T` enters
    :math:`E_q[e^T]` exponentially, so `p`'s far tail under a steep
    :math:`\log q` counts), in two rounds (at most 1024 nodes) in ``d =
    1``; in ``d > 1`` the grid alone, thinned to about 32 nodes per
    direction, for all directions in one pass.
    On each interval :math:`T` is anchored at the end where `p` is
    larger, and :math:`\int q_b e^T` (the exponential of a concave
    quadratic) is its log-integrand there plus the log of a normal
    integral in ``scipy.special.erfcx`` form, summed in log space, so that
    tails neither cancel nor underflow and a steep :math:`T` (a component
    of `p` narrower than :math:`10^{-9}` of one of `q`) does not cancel
    against itself. A margin for rounding, bounded term by term from the
    errors of the tail probabilities, densities and z-scores (a few
    :math:`\epsilon` relative) through the differences, products and sums,
    is subtracted, and each normal integral under `q` is replaced by an
    upper bound (its value plus its rounding error), so that
    :math:`E_q[e^T]` is never under-estimated.
    The directions :math:`w` are the identity in ``d = 1``; in ``d > 1``,
    Fisher's discriminant direction :math:`(\bar\Sigma_p +
    \bar\Sigma_q)^{-1}(\bar\mu_p - \bar\mu_q)` of the overall means and
    covariances, the generalised eigenvectors of :math:`(\bar\Sigma_p,
    \bar\Sigma_q)` with the largest and smallest variance ratio, and the
    leading principal axis of each mixture's component means. In ``d =
    1``, on 6000 random pairs of up to four components (standard
    deviations from 0.05 to 5, means spread by 0.1 to 30, 30 % of the
    pairs nearly equal), the bound was within :math:`5 \cdot 10^{-6}` of
    divergences above :math:`10^{-8}`, relative, at the median, and
    :math:`2 \cdot 10^{-4}` at worst; within :math:`2 \cdot 10^{-3}`
    between :math:`10^{-10}` and :math:`10^{-8}`, and :math:`3 \cdot
    10^{-13}` absolute below. Both (i)
    and the result equal the closed form when each side has one component.

    ``"exact"`` (``d = 1``) integrates :math:`p \log(p/q) - p + q \ge 0`
    (whose integral is the divergence) by adaptive Gauss-Legendre
    quadrature over :math:`\pm 40` standard deviations of every component,
    to a relative error estimate below 1e-10; where `p` and `q` nearly
    agree, rounding in the log-densities limits it instead, to an absolute
    error of about :math:`10^{-14} \int |p - q|`. The upper bounds carry a
    margin of a few ulps of their terms, so rounding cannot take them below
    the divergence.

    Edge cases: zero-weight components are dropped; component order does
    not matter (components are sorted, and identical components merged,
    before any computation, so results are exactly invariant); when `p`
    and `q` are the same mixture every deterministic method returns 0; when
    both have one component, ``"variational"``, ``"matched"``, ``"upper"``,
    ``"lower"`` and ``"exact"`` return `kl_mvnormal`. No method returns
    NaN.

    References
    ----------
    .. [1] J. R. Hershey and P. A. Olsen, "Approximating the Kullback
       Leibler divergence between Gaussian mixture models", ICASSP 2007,
       pp. IV-317-320.
    .. [2] J. Goldberger, S. Gordon and H. Greenspan, "An efficient image
       similarity measure based on approximations of KL-divergence between
       two Gaussian mixtures", ICCV 2003, pp. 487-493.
    .. [3] J.-L. Durrieu, J.-P. Thiran and F. Kelly, "Lower and upper
       bounds for approximation of the Kullback-Leibler divergence between
       Gaussian mixture models", ICASSP 2012, pp. 4833-4836.
    .. [4] S. Kullback, *Information Theory and Statistics*, Wiley, 1959,
       chapter 2: a statistic (a measurable map) cannot increase the
       divergence, with equality when it is sufficient.
    .. [5] M. D. Donsker and S. R. S. Varadhan, "Asymptotic evaluation of
       certain Markov process expectations for large time, IV", *Comm.
       Pure Appl. Math.* 36 (1983), pp. 183-212.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_gmm
    >>> p = ([0.5, 0.5], [[-2.0], [2.0]], [[[1.0]], [[1.0]]])  # two modes
    >>> q = ([1.0], [[0.0]], [[[5.0]]])  # one wide normal
    >>> round(kl_gmm(p, q, method="exact"), 6)  # quadrature, d = 1
    0.171999
    >>> lo, hi = kl_gmm(p, q, method="lower"), kl_gmm(p, q, method="upper")
    >>> round(lo, 3), round(hi, 3)  # a proven bracket, without sampling
    (0.172, 0.283)
    >>> res = kl_gmm(p, q, n=100_000, rng=1)  # Monte Carlo with its error
    >>> round(res.value, 3), round(res.stderr, 3)
    (0.176, 0.002)
    >>> round(kl_gmm(p, p, method="upper"), 6)  # same mixture
    0.0
    """
    method = check_option(method, "method", tuple(_METHODS))
    divisor = log_base(base)
    f = _as_mixture(p, "p")
    g = _as_mixture(q, "q")
    d = f.means.shape[1]
    if g.means.shape[1] != d:
        raise ValueError(
            f"`p` and `q` have different dimensions: {d} and {g.means.shape[1]}"
        )
    if method == "monte_carlo":
        n = check_count(n, "n", 2)
        gen = as_generator(rng)
        x = _sample(f, n, gen)
        r = _log_pdf(f, x) - _log_pdf(g, x)
        value = float(r.mean()) / divisor
        stderr = float(r.std(ddof=1)) / math.sqrt(n) / divisor
        return MonteCarloResult(value, stderr, n)
    if method == "exact" and d != 1:
        raise ValueError(
            f"`method='exact'` is available for d = 1 only (adaptive "
            f"quadrature), but `p` and `q` have d = {d}: use 'monte_carlo' "
            "or bracket the divergence with 'lower' and 'upper'"
        )
    if f.same_as(g):
        return 0.0
    if method != "product" and f.weights.size == 1 and g.weights.size == 1:
        # the closed form (which every method but the product one reduces to)
        return float(_pair_kl(f, g)[0, 0]) / divisor
    if (
        f.small is not None
        and g.small is not None
        and max(f.weights.size, g.weights.size) ** 2 <= _SMALL_PAIRS
        and method in _SMALL_METHODS
    ):
        nats = _SMALL_METHODS[method](f, g)
        if method == "upper":
            nats = max(nats, 0.0)
        return float(nats / divisor + 0.0)
    nats = {
        "variational": _variational,
        "product": _product,
        "matched": _matched,
        "upper": _upper,
        "lower": _lower,
        "exact": _exact_1d,
    }[method](f, g)
    if method in ("upper", "lower"):
        nats = max(nats, 0.0)
    return float(nats / divisor + 0.0)
