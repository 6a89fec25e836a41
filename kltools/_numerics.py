"""Numerical building blocks shared by the kltools functions.

Block iteration over large inputs, accurate elementwise kernels
(``exp(x) - 1 - x``, ``x log(x / y) - x + y``, the Jensen-Shannon term), the
trapezoid weights of a grid and the finishing of results (clamping rounding
below zero, converting units, unwrapping 0-d arrays). Nothing here validates
input: that is `kltools._validation`'s job.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

__all__: list[str] = []

#: Elements processed per block by the discrete kernels. Large enough to
#: amortise Python's per-call cost, small enough that a block of each input
#: and the scratch buffer (1 MiB each) stay in the CPU cache.
BLOCK_SIZE = 131072

# Taylor coefficients 1/k! for k = 2..17: the series of exp(x) - 1 - x used
# for |x| < 0.5, where the k = 17 term is below 2e-19 of the leading one.
_EXP_COEFFS = [1.0 / math.factorial(k) for k in range(2, 18)]
# Coefficients (-1)^k / (k (k - 1)) for k = 2..18: the series of
# (1 + t) log(1 + t) - t used for |t| < 0.1 (last term below 1e-18 of the
# leading one).
_XLOGX_COEFFS = [(-1.0) ** k / (k * (k - 1)) for k in range(2, 19)]
# Coefficients 1 / (j (2j - 1)) for j = 1..9 of the series in t^2 of
# (1 + t) log(1 + t) + (1 - t) log(1 - t), used for |t| < 0.1.
_JS_COEFFS = [1.0 / (j * (2 * j - 1)) for j in range(1, 10)]


def blocks(n_rows: int, k: int) -> Iterator[tuple[slice, slice]]:
    """Yield ``(rows, columns)`` slices covering an ``(n_rows, k)`` array.

    Each block holds at most `BLOCK_SIZE` elements (or one row's worth when
    a row is shorter), so scratch buffers of that size suffice.
    """
    if k >= BLOCK_SIZE:
        for r in range(n_rows):
            for c in range(0, k, BLOCK_SIZE):
                yield slice(r, r + 1), slice(c, min(c + BLOCK_SIZE, k))
    else:
        step = max(1, BLOCK_SIZE // k)
        for r in range(0, n_rows, step):
            yield slice(r, min(r + step, n_rows)), slice(0, k)


def nonnegative(x: np.ndarray) -> np.ndarray:
    """Clamp rounding below zero to 0 (also maps -0.0 and NaN-free -x to 0.0)."""
    return np.where(x > 0.0, x, 0.0)


def unwrap(x: np.ndarray) -> float | np.ndarray:
    """Return a 0-d array as a float, anything else unchanged."""
    return float(x) if x.ndim == 0 else x


def finish_nats(kl: np.ndarray, divisor: float) -> float | np.ndarray:
    """Clamp rounding below zero (and -0.0) to 0, convert units, unwrap 0-d."""
    return unwrap(nonnegative(kl) / divisor)


def finish(
    result: np.ndarray,
    out_shape: tuple[int, ...],
    axis: int,
    keepdims: bool,
) -> float | np.ndarray:
    """Reshape per-distribution results; return a float for a single one."""
    result = result.reshape(out_shape)
    if keepdims:
        return np.expand_dims(result, axis)
    return unwrap(result)


def trapezoid_weights(x: np.ndarray) -> np.ndarray:
    """Return weights `w` with ``(w * f).sum()`` the trapezoid rule on grid `x`.

    ``w[i] = (x[i+1] - x[i-1]) / 2`` inside and half a step at the ends, so the
    grid step is part of every weight and cannot be forgotten.
    """
    h = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += 0.5 * h
    w[1:] += 0.5 * h
    return w


def horner(x: np.ndarray, coeffs: list[float]) -> np.ndarray:
    """Evaluate ``sum(c_i x^i)`` for the coefficients `coeffs` (lowest first)."""
    acc = np.full_like(x, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = acc * x + c
    return acc


def expm1mx(x: ArrayLike) -> np.ndarray:
    """Return ``exp(x) - 1 - x`` (>= 0) accurately for every real `x`."""
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) < 0.5
    xs = np.where(small, x, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        direct = np.expm1(x) - x
    return np.where(small, xs * xs * horner(xs, _EXP_COEFFS), direct)


def log_ratio(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Return ``log(a / b)`` for positive `a`, `b`, accurate when a ~ b."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        # a - b is exact when a and b are within a factor 2 (Sterbenz).
        near = np.abs(a - b) < 0.5 * b
        return np.where(near, np.log1p((a - b) / b), np.log(a) - np.log(b))


def kl_div(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Return ``x log(x / y) - x + y`` (>= 0) accurately, also when x ~ y.

    Same limits as `scipy.special.kl_div`: ``y`` at ``x = 0`` (0 when both
    are 0), ``inf`` for ``x > 0 = y``. With ``t = (x - y) / y`` the term is
    ``y ((1 + t) log(1 + t) - t)``, summed as a Taylor series for
    ``|t| < 0.1`` where the direct formula cancels.
    """
    from scipy.special import kl_div as _scipy_kl_div

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        t = (x - y) / y
        small = (y > 0.0) & (np.abs(t) < 0.1)
        ts = np.where(small, t, 0.0)
        series = y * ts * ts * horner(ts, _XLOGX_COEFFS)
        direct = _scipy_kl_div(x, y)
        # x / y overflowing (x = 1e-10, y = 5e-324) is not an infinite term.
        split = x * (np.log(x) - np.log(y)) - x + y
        direct = np.where(np.isinf(direct) & (y > 0.0), split, direct)
        return np.where(small, series, direct)


def js_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return ``p log(2p / (p + q)) + q log(2q / (p + q))`` (>= 0) accurately.

    With ``m = (p + q) / 2`` and ``t = (p - q) / (p + q)`` the term is
    ``m ((1 + t) log(1 + t) + (1 - t) log(1 - t))``, whose series in ``t^2``
    (``t^2 + t^4 / 6 + ...``) is used for ``|t| < 0.1``; 0 where both are 0,
    ``p log 2`` where only ``q`` is 0 (and symmetrically).
    """
    with np.errstate(all="ignore"):
        s = p + q
        t = (p - q) / s
        small = np.abs(t) < 0.1
        ts = np.where(small, t, 0.0)
        t2 = ts * ts
        series = 0.5 * s * t2 * horner(t2, _JS_COEFFS)
        # Direct form: 2p / s = 1 + t and 2q / s = 1 - t, with t computed
        # from the exact difference p - q; each part is 0 where x is 0.
        tp = p * np.log1p(t)
        tq = q * np.log1p(-t)
        direct = np.where(p > 0.0, tp, 0.0) + np.where(q > 0.0, tq, 0.0)
        return np.where(small, series, direct)


def kl_div_scalar(x: float, y: float) -> float:
    """`kl_div` for two Python floats (the same branches, no numpy)."""
    if y == 0.0:
        return 0.0 if x == 0.0 else math.inf
    t = (x - y) / y
    if abs(t) < 0.1:
        acc = _XLOGX_COEFFS[-1]
        for c in reversed(_XLOGX_COEFFS[:-1]):
            acc = acc * t + c
        return y * t * t * acc
    if x == 0.0:
        return y
    r = x / y
    if r == math.inf:  # x / y overflows: split the logarithm
        return x * (math.log(x) - math.log(y)) - x + y
    return x * math.log(r) - x + y


def js_terms_scalar(p: float, q: float) -> float:
    """`js_terms` for two Python floats (the same branches, no numpy)."""
    s = p + q
    if s == 0.0:
        return 0.0
    t = (p - q) / s
    if abs(t) < 0.1:
        t2 = t * t
        acc = _JS_COEFFS[-1]
        for c in reversed(_JS_COEFFS[:-1]):
            acc = acc * t2 + c
        return 0.5 * s * t2 * acc
    tp = p * math.log1p(t) if p > 0.0 else 0.0
    tq = q * math.log1p(-t) if q > 0.0 else 0.0
    return tp + tq


# The scalar versions call numpy's ufuncs on Python floats (not `math`) so
# that they round exactly as the array versions do on every numpy version.


def expm1mx_scalar(x: float) -> float:
    """`expm1mx` for a Python float with ``|x| <= 700`` (no overflow)."""
    if abs(x) < 0.5:
        acc = _EXP_COEFFS[-1]
        for c in reversed(_EXP_COEFFS[:-1]):
            acc = acc * x + c
        return x * x * acc
    return float(np.expm1(x)) - x


def log_ratio_scalar(a: float, b: float) -> float:
    """`log_ratio` for two positive Python floats."""
    if abs(a - b) < 0.5 * b:
        return float(np.log1p((a - b) / b))
    return float(np.log(a)) - float(np.log(b))
