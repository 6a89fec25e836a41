"""Input checks shared by the exact count-based tests (`_gtest`, `_neyman_pearson`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, sum_tolerance

__all__: list[str] = []


def check_pmf(x: ArrayLike, name: str, *, positive: bool = False) -> np.ndarray:
    """Return `x` as a 1-D float pmf, or raise naming `name`.

    Entries must be finite, non-negative (positive if `positive`) and sum to
    1 within `sum_tolerance`; nothing is renormalised.
    """
    arr = as_real_array(x, name)
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"`{name}` must be a 1-D pmf, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite")
    if positive and not (arr > 0).all():
        raise ValueError(f"`{name}` must have every entry positive")
    if (arr < 0).any():
        raise ValueError(f"`{name}` must be non-negative")
    total = float(arr.sum())
    if abs(total - 1.0) > sum_tolerance(x):
        raise ValueError(f"`{name}` must sum to 1, got {total!r}")
    return arr


def check_counts(x: ArrayLike, name: str) -> np.ndarray:
    """Return `x` as an int64 array of non-negative counts, or raise."""
    arr = as_real_array(x, name)
    if arr.ndim < 1 or arr.shape[-1] < 1:
        raise ValueError(f"`{name}` must have outcomes along its last axis")
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr != np.round(arr)).any():
        raise ValueError(f"`{name}` must hold non-negative integer counts")
    return arr.astype(np.int64)
