"""Draw samples from a pmf and turn samples back into counts and pmfs.

These are the small simulation steps behind every coin and dice example:
sampling with a seeded generator, and tallying outcomes over a fixed support
so that empirical pmfs of different samples line up category by category.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_generator, as_support, check_count, check_pmf

__all__ = ["count_outcomes", "empirical_pmf", "sample_pmf"]


def sample_pmf(
    pmf: ArrayLike,
    n: int,
    *,
    support: ArrayLike | None = None,
    rng: object = None,
) -> np.ndarray:
    """Draw `n` independent outcomes from a discrete distribution.

    Parameters
    ----------
    pmf : array_like
        Probabilities of the :math:`K` outcomes, a 1-D array that sums to 1.
    n : int
        Number of draws, ``n >= 0``.
    support : array_like, optional
        The :math:`K` distinct outcomes (numbers or strings), in the order of
        `pmf`. Default ``0, 1, ..., K - 1``.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness: a `numpy.random.Generator` (its stream
        continues, so one generator can drive a whole simulation), a seed for
        `numpy.random.default_rng`, or None for fresh, unrepeatable entropy.

    Returns
    -------
    ndarray
        Shape ``(n,)``: the outcomes drawn, elements of `support`.

    Raises
    ------
    ValueError
        If `pmf` is not a 1-D array of finite, non-negative numbers summing
        to 1; if `support` is not 1-D, has repeated outcomes or a length
        other than that of `pmf`; if `n` is negative; or if `rng` is an
        invalid seed.
    TypeError
        If `n` is not an integer or `rng` is not a seed or a generator.

    See Also
    --------
    count_outcomes, empirical_pmf
    numpy.random.Generator.choice : the same draws for float64 pmfs.

    Notes
    -----
    Inverse-cdf sampling: each draw is the first outcome whose cumulative
    probability exceeds a uniform number in :math:`[0, 1)`. An outcome with
    probability 0 is never drawn. For a float64 `pmf` the draws equal those
    of ``rng.choice(support, n, p=pmf)`` from the same generator state.

    Examples
    --------
    >>> from kltools import sample_pmf
    >>> sample_pmf([0.25, 0.75], 8, support=["H", "T"], rng=0)  # 3:1 coin
    array(['T', 'T', 'H', 'H', 'T', 'T', 'T', 'T'], dtype='<U1')
    >>> sample_pmf([1/6] * 6, 5, support=range(1, 7), rng=1)  # a fair die
    array([4, 6, 1, 6, 2])

    One generator drives several draws; rerunning with the same seed
    repeats them all:

    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> sample_pmf([0.5, 0.5], 4, rng=rng), sample_pmf([0.5, 0.5], 4, rng=rng)
    (array([0, 0, 1, 0]), array([1, 1, 0, 0]))
    """
    probs = check_pmf(pmf)
    n = check_count(n, "n")
    outcomes = None
    if support is not None:
        outcomes = as_support(support)
        if outcomes.size != probs.size:
            raise ValueError(
                f"`support` has {outcomes.size} outcomes but `pmf` has "
                f"{probs.size} probabilities"
            )
    gen = as_generator(rng)
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]  # within sqrt(eps) of 1 already; makes the last step exact
    index = np.searchsorted(cdf, gen.random(n), side="right")
    return index if outcomes is None else outcomes[index]


def count_outcomes(samples: ArrayLike, support: ArrayLike) -> np.ndarray:
    """Count how often each outcome of `support` occurs in `samples`.

    Parameters
    ----------
    samples : array_like
        Observed outcomes along the last axis; any leading axes index
        separate samples (a batch), counted independently.
    support : array_like
        The :math:`K` distinct possible outcomes (numbers or strings). Every
        sample must be one of them: outcomes outside the support are an
        error, not silently dropped.

    Returns
    -------
    ndarray of int64
        Shape ``samples.shape[:-1] + (K,)``: the counts, in the order of
        `support`. Outcomes never observed get 0.

    Raises
    ------
    ValueError
        If `samples` is a scalar or holds a value that is not in `support`;
        or if `support` is not 1-D, is empty, or has repeated outcomes.

    See Also
    --------
    empirical_pmf : the counts divided by the sample size.

    Examples
    --------
    >>> from kltools import count_outcomes
    >>> count_outcomes(["T", "H", "T", "T"], support=["H", "T"])
    array([1, 3])
    >>> count_outcomes([[1, 1, 3], [2, 2, 2]], support=[1, 2, 3])  # a batch
    array([[2, 0, 1],
           [0, 3, 0]])
    """
    outcomes = as_support(support)
    try:
        values = np.asarray(samples)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValueError(f"`samples` must be an array of outcomes: {exc}") from None
    if values.ndim == 0:
        raise ValueError(
            "`samples` must have at least one dimension (the draws), got a scalar"
        )
    k = outcomes.size
    order = np.argsort(outcomes, kind="stable")
    ordered = outcomes[order]
    try:
        pos = np.searchsorted(ordered, values)
        pos[pos == k] = k - 1
        found = ordered[pos] == values
    except TypeError:  # values that cannot be compared with the support
        found = np.zeros(values.shape, dtype=bool)
        pos = np.zeros(values.shape, dtype=np.intp)
    if not np.all(found):
        missing = values[~found]
        example = missing[:1].tolist()[0]  # a Python scalar prints plainly
        listed = outcomes.tolist() if k <= 20 else f"{k} outcomes"
        raise ValueError(
            f"`samples` holds {missing.size} value(s) not in `support`, for "
            f"example {example!r}; `support` is {listed!r}"
        )
    batch = values.shape[:-1]
    if values.size == 0:
        return np.zeros((*batch, k), dtype=np.int64)
    n_rows = int(np.prod(batch, dtype=np.int64))
    index = order[pos].reshape(n_rows, values.shape[-1])
    # One bincount for the whole batch: row r's outcomes go to r*K + index.
    flat = index + (np.arange(n_rows) * k)[:, None]
    counts = np.bincount(flat.ravel(), minlength=n_rows * k)
    return counts.reshape(*batch, k).astype(np.int64, copy=False)


def empirical_pmf(samples: ArrayLike, support: ArrayLike) -> np.ndarray:
    r"""Estimate a pmf over `support` by the relative frequencies in `samples`.

    Parameters
    ----------
    samples : array_like
        Observed outcomes along the last axis, which must not be empty; any
        leading axes index separate samples (a batch).
    support : array_like
        The :math:`K` distinct possible outcomes (numbers or strings). A
        shared support makes the pmfs of different samples comparable
        category by category, as a divergence needs.

    Returns
    -------
    ndarray of float64
        Shape ``samples.shape[:-1] + (K,)``: :math:`\hat p_k = n_k / n`, the
        count of outcome :math:`k` over the number of draws :math:`n`. Each
        pmf sums to 1; unobserved outcomes get probability 0.

    Raises
    ------
    ValueError
        If `samples` is a scalar, has no draws, or holds a value that is not
        in `support`; or if `support` is not 1-D, is empty, or has repeated
        outcomes.

    See Also
    --------
    count_outcomes, sample_pmf
    kl_divergence : plug-in KL between two empirical pmfs.

    Notes
    -----
    This is the maximum-likelihood (plug-in) estimate. An outcome that did
    not occur gets probability exactly 0, so a divergence between two
    empirical pmfs is ``inf`` when one sample contains an outcome the other
    lacks. Small samples also make plug-in KL biased upwards: for two
    independent samples of size :math:`n` from the same :math:`K`-outcome
    distribution its mean is about :math:`(K - 1)/n` nats, not 0.

    Examples
    --------
    >>> from kltools import empirical_pmf
    >>> empirical_pmf(["T", "H", "T", "T"], support=["H", "T"])
    array([0.25, 0.75])
    >>> empirical_pmf([2, 4, 4, 6], support=range(1, 7))  # faces 1, 3, 5 unseen
    array([0.  , 0.25, 0.  , 0.5 , 0.  , 0.25])
    """
    counts = count_outcomes(samples, support)
    n = np.shape(samples)[-1]
    if n == 0:
        raise ValueError("`samples` has no draws: an empirical pmf needs n >= 1")
    return counts / n
