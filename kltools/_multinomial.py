"""Every count vector of n draws over k outcomes, for exact multinomial sums."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["count_vectors"]

#: Refuse enumerations with more count vectors than this (about 80 MB of
#: int64 for k = 10): exact sums over more types are not "small calls".
MAX_COUNT_VECTORS = 1_000_000


def _check_count(x: object, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer, got {x!r}")
    if int(x) < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}, got {x!r}")
    return int(x)


def n_count_vectors(n: int, k: int) -> int:
    """Return ``comb(n + k - 1, k - 1)``, the number of count vectors."""
    return math.comb(n + k - 1, k - 1)


def count_vectors(n: int, k: int) -> np.ndarray:
    r"""List every vector of `k` non-negative integer counts that sum to `n`.

    These are the *types* (the possible count vectors) of a sample of `n`
    draws over `k` outcomes. A sum over them with
    `scipy.stats.multinomial` probabilities is an exact expectation under
    the multinomial distribution, with no simulation.

    Parameters
    ----------
    n : int
        Number of draws, ``n >= 0``.
    k : int
        Number of outcomes, ``k >= 1``.

    Returns
    -------
    ndarray of int64, shape (comb(n + k - 1, k - 1), k)
        One count vector per row, in lexicographic order of the first
        ``k - 1`` counts.

    Raises
    ------
    TypeError
        If `n` or `k` is not an integer.
    ValueError
        If ``n < 0``, ``k < 1``, or there would be more than 1,000,000 count
        vectors (the exact sums that use them would no longer be cheap).

    See Also
    --------
    g_test : uses the count vectors for exact p-values.
    neyman_pearson_beta : uses them for exact error probabilities.

    Notes
    -----
    There are :math:`\binom{n+k-1}{k-1}` vectors ("stars and bars"). They
    are built one coordinate at a time with `numpy.repeat`, without a
    Python loop over the vectors.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, section 11.1 (the method of types).

    Examples
    --------
    >>> from kltools import count_vectors
    >>> count_vectors(2, 3)  # two draws over three outcomes: six types
    array([[0, 0, 2],
           [0, 1, 1],
           [0, 2, 0],
           [1, 0, 1],
           [1, 1, 0],
           [2, 0, 0]])
    """
    n = _check_count(n, "n", 0)
    k = _check_count(k, "k", 1)
    total = n_count_vectors(n, k)
    if total > MAX_COUNT_VECTORS:
        raise ValueError(
            f"`n` = {n} draws over `k` = {k} outcomes have {total} count vectors, "
            f"more than {MAX_COUNT_VECTORS}; use a smaller n or k, or simulate"
        )
    rows = np.zeros((1, 0), dtype=np.int64)
    remaining = np.array([n], dtype=np.int64)
    for _ in range(k - 1):
        lengths = remaining + 1  # the next count can be 0..remaining
        parent = np.repeat(np.arange(rows.shape[0]), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        value = np.arange(parent.size, dtype=np.int64) - starts
        rows = np.column_stack([rows[parent], value])
        remaining = remaining[parent] - value
    return np.column_stack([rows, remaining])
