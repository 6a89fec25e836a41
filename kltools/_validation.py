"""Input checking shared by every public function of `kltools`.

Validation lives here, in one place, so that every function rejects the
same bad inputs with the same messages.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike

# Re-exported for code that imported these from here before they moved to
# kltools._numerics (this module only validates).
from ._numerics import BLOCK_SIZE as BLOCK_SIZE
from ._numerics import blocks as blocks
from ._numerics import finish as finish
from ._numerics import finish_nats as finish_nats
from ._numerics import trapezoid_weights as trapezoid_weights

__all__: list[str] = []


def log_base(base: object) -> float:
    """Return ``log(base)``, the divisor that converts nats to `base` units.

    ``None`` means nats (divisor 1). A base must be a real number greater
    than 1: below 1 the logarithm is negative and every divergence would
    change sign.
    """
    if base is None:
        return 1.0
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise ValueError(
            f"`base` must be None or a number greater than 1, got {base!r}"
        )
    value = float(base)
    if not (math.isfinite(value) and value > 1.0):
        raise ValueError(
            f"`base` must be None or a number greater than 1, got {base!r}"
        )
    return math.log(value)


def check_flag(value: object, name: str) -> bool:
    """Return `value` as a bool, requiring True or False (numpy's too).

    Strings such as ``"no"`` are truthy, so accepting any object would turn
    ``keepdims="no"`` into True.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def check_option(value: object, name: str, options: tuple[str, ...]) -> str:
    """Return `value` if it is one of the strings `options`, else raise."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"`{name}` must be one of {listed}, got {value!r}")
    return value


def as_real_array(x: ArrayLike, name: str) -> np.ndarray:
    """Convert `x` to a float64 array, rejecting non-numeric input.

    Masked arrays are refused: `numpy.asarray` would drop the mask and the
    masked entries would count as data.
    """
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"`{name}` is a masked array, which is not supported (the mask "
            "would be ignored); pass its `.compressed()` or `.filled(value)` data"
        )
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValueError(f"`{name}` must be an array of real numbers: {exc}") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"`{name}` must be an array of real numbers, got dtype {arr.dtype}"
        )
    return arr.astype(np.float64, copy=False)


def check_axis(axis: object, ndim: int) -> int:
    """Return `axis` as a non-negative index into an array of `ndim` dims."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"`axis` must be an integer, got {axis!r}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"`axis` {axis} is out of range for inputs with {ndim} dimension(s)"
        )
    return axis % ndim


def sum_tolerance(*inputs: object) -> float:
    """Tolerance on ``|sum - 1|`` for pmfs given as `inputs` (before conversion).

    ``sqrt(eps)`` of the least precise floating input, as
    `numpy.random.Generator.choice` uses: about 1.5e-8 for float64 and 3.5e-4
    for float32, whose pmfs cannot sum closer to 1.
    """
    eps = float(np.finfo(np.float64).eps)
    for x in inputs:
        dtype = getattr(x, "dtype", None)
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            eps = max(eps, float(np.finfo(dtype).eps))
    return math.sqrt(eps)


def distributions(
    arrays: dict[str, ArrayLike], axis: object
) -> tuple[list[np.ndarray], tuple[int, ...], int, float]:
    """Broadcast named inputs and lay each distribution out as a row.

    Returns ``(rows, out_shape, axis, tol)``: each element of `rows` has shape
    ``(n_distributions, k)`` (a view wherever numpy allows), `out_shape` is
    the broadcast shape without the distribution axis, `axis` is normalised
    against the broadcast shape, and `tol` is `sum_tolerance` of the inputs.
    """
    arrs = {name: as_real_array(x, name) for name, x in arrays.items()}
    tol = sum_tolerance(*arrays.values())
    for name, a in arrs.items():
        if a.ndim == 0:
            raise ValueError(
                f"`{name}` must have at least one dimension (a distribution), "
                "got a scalar"
            )
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrs.values()))
    except ValueError:
        shapes = " and ".join(f"`{n}` {a.shape}" for n, a in arrs.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from None
    axis = check_axis(axis, len(shape))
    k = shape[axis]
    if k == 0:
        raise ValueError(
            f"the distribution axis (axis={axis}) is empty: a distribution "
            "needs at least one category"
        )
    out_shape = shape[:axis] + shape[axis + 1 :]
    rows = []
    for a in arrs.values():
        b = np.moveaxis(np.broadcast_to(a, shape), axis, -1)
        rows.append(b.reshape(-1, k))
    return rows, out_shape, axis, tol


def check_entries(block: np.ndarray, name: str) -> None:
    """Raise if `block` holds a negative entry.

    `numpy.fmin` skips NaN and is the cheapest reduction; NaN and infinite
    entries surface in the sums instead, which `check_sums` inspects.
    """
    smallest = np.fmin.reduce(block, axis=None)
    if smallest < 0.0:
        raise ValueError(
            f"`{name}` contains negative entries (smallest {float(smallest):.6g}); "
            "probabilities must be non-negative"
        )


def check_sums(sums: np.ndarray, name: str, normalize: bool, tol: float) -> None:
    """Check row sums: finite, and 1 within `tol` (or non-zero if normalising)."""
    if not np.isfinite(sums).all():
        if np.isnan(sums).any():
            raise ValueError(f"`{name}` contains NaN")
        raise ValueError(f"`{name}` contains infinite entries")
    if normalize:
        if (sums == 0.0).any():
            raise ValueError(
                f"`{name}` has a distribution whose entries are all zero; "
                "it cannot be normalized"
            )
    else:
        bad = np.abs(sums - 1.0) > tol
        if bad.any():
            total = float(sums[np.argmax(bad)])
            if sums.size == 1:
                raise ValueError(
                    f"`{name}` must sum to 1, but it sums to {total:.10g}; pass "
                    "normalize=True to divide it by its sum (for counts or "
                    "histograms)"
                )
            raise ValueError(
                f"`{name}` must sum to 1 along `axis`, but one of its "
                f"{sums.size} distributions sums to {total:.10g}; pass "
                "normalize=True to divide each distribution by its sum (for "
                "counts or histograms)"
            )


def as_generator(rng: object) -> np.random.Generator:
    """Return a `numpy.random.Generator` from `rng`.

    `rng` may be None (fresh, unpredictable entropy), a seed accepted by
    `numpy.random.default_rng` (a non-negative int or a sequence of them, a
    `numpy.random.SeedSequence` or a bit generator) or a Generator, which is
    returned as is so that successive calls continue its stream.
    """
    try:
        return np.random.default_rng(rng)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            "`rng` must be None, a seed (a non-negative integer) or a "
            f"numpy.random.Generator, got {rng!r}"
        ) from None
    except ValueError as exc:
        raise ValueError(
            f"`rng` is not a valid seed ({exc}): use a non-negative integer"
        ) from None


def as_support(support: ArrayLike, name: str = "support") -> np.ndarray:
    """Return `support` as a 1-D array of distinct, comparable outcomes."""
    try:
        arr = np.asarray(support)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValueError(
            f"`{name}` must be a 1-D sequence of outcomes: {exc}"
        ) from None
    if arr.ndim != 1:
        raise ValueError(
            f"`{name}` must be a 1-D sequence of outcomes, got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` must contain at least one outcome")
    if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise ValueError(f"`{name}` contains NaN or infinite outcomes")
    try:
        distinct = np.unique(arr).size
    except TypeError:  # objects that cannot be ordered
        raise ValueError(
            f"`{name}` outcomes must be mutually comparable (numbers or strings)"
        ) from None
    if distinct != arr.size:
        raise ValueError(
            f"`{name}` must list distinct outcomes, but {arr.size - distinct} "
            "are repeated"
        )
    return arr


def check_pmf(pmf: ArrayLike, name: str = "pmf") -> np.ndarray:
    """Return a single pmf as a 1-D float64 array, or raise.

    The entries must be finite and non-negative and sum to 1 within
    ``sqrt(eps)`` of the input's dtype, the tolerance `distributions` uses.
    """
    arr = as_real_array(pmf, name)
    if arr.ndim != 1:
        raise ValueError(
            f"`{name}` must be a 1-D array of probabilities, got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` must have at least one category")
    check_finite(arr, name)
    check_entries(arr, name)
    total = float(arr.sum())
    if abs(total - 1.0) > sum_tolerance(pmf):
        raise ValueError(
            f"`{name}` must sum to 1, but sums to {total:.10g}; divide it by "
            "its sum first if it holds counts"
        )
    return arr


def check_count(value: object, name: str, minimum: int = 0) -> int:
    """Return `value` as an int, requiring an integer no smaller than `minimum`."""
    wanted = "a non-negative integer" if minimum == 0 else "an integer"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be {wanted}, got {value!r}")
    value = int(value)
    if value < minimum:
        if minimum == 0:
            raise ValueError(f"`{name}` must be a non-negative integer, got {value}")
        raise ValueError(f"`{name}` must be at least {minimum}, got {value}")
    return value


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if `arr` holds a NaN or an infinite entry."""
    if not np.isfinite(arr).all():
        raise ValueError(
            f"`{name}` contains NaN or infinite entries; it must be finite"
        )


def check_real(value: object, name: str, *, positive: bool = False) -> float:
    """Return a finite real scalar as a float (strictly positive if asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0.0):
        kind = "a positive finite number" if positive else "finite"
        raise ValueError(f"`{name}` must be {kind}, got {value!r}")
    return value


def check_grid(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return `x` as a finite, strictly increasing 1-D grid of >= 2 points."""
    x = as_real_array(x, name)
    if x.ndim != 1:
        raise ValueError(
            f"`{name}` must be a one-dimensional grid of points, got shape {x.shape}"
        )
    if x.size < 2:
        raise ValueError(
            f"`{name}` must have at least 2 points to integrate over, got {x.size}"
        )
    check_finite(x, name)
    if not (np.diff(x) > 0.0).all():
        raise ValueError(f"`{name}` must be strictly increasing")
    return x


def check_grid_density(values: ArrayLike, name: str, size: int) -> np.ndarray:
    """Return density values tabulated on a grid of `size` points (last axis).

    The values must be finite and non-negative; leading axes, if any, hold a
    batch of densities.
    """
    arr = as_real_array(values, name)
    if arr.ndim == 0 or arr.shape[-1] != size:
        n = 1 if arr.ndim == 0 else arr.shape[-1]
        raise ValueError(
            f"`{name}` must hold one density value per grid point along its "
            f"last axis: it has {n} but `x` has {size} points"
        )
    check_finite(arr, name)
    if (arr < 0.0).any():
        raise ValueError(
            f"`{name}` contains negative entries (smallest {float(arr.min()):.6g}); "
            "densities must be non-negative"
        )
    return arr


def check_sample(
    x: ArrayLike, name: str, *, one_d: bool = False, as_matrix: bool = False
) -> np.ndarray:
    """Return a finite, non-empty sample as a float64 array.

    The one check of samples for every estimator: shape ``(n,)`` only if
    `one_d`, else ``(n,)`` or ``(n, d)``; with `as_matrix` a 1-D sample of
    length n becomes n points in one dimension, shape ``(n, 1)``.
    """
    arr = as_real_array(x, name)
    if one_d and arr.ndim != 1:
        raise ValueError(
            f"`{name}` must be a one-dimensional sample, got shape {arr.shape}"
        )
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"`{name}` must have shape (n,) or (n, d), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty (shape {arr.shape})")
    check_finite(arr, name)
    if as_matrix and arr.ndim == 1:
        arr = arr[:, None]
    return arr


def finite_array(x: ArrayLike, name: str) -> np.ndarray:
    """Convert `x` to a float64 array, rejecting NaN and infinite entries."""
    arr = as_real_array(x, name)
    check_finite(arr, name)
    return arr


def positive_array(x: ArrayLike, name: str) -> np.ndarray:
    """Convert `x` to a float64 array whose entries are positive and finite."""
    arr = as_real_array(x, name)
    bad = ~(np.isfinite(arr) & (arr > 0.0))
    if bad.any():
        value = float(arr[bad].flat[0])
        raise ValueError(f"`{name}` must be positive and finite, got {value!r}")
    return arr


def broadcast_named(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Broadcast named arrays, naming them if their shapes do not broadcast."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = " and ".join(f"`{n}` {a.shape}" for n, a in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from None
