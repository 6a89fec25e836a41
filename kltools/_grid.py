"""Kullback-Leibler divergence between densities tabulated on a grid."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._discrete import repair_kl_terms
from ._numerics import finish_nats, trapezoid_weights
from ._validation import (
    broadcast_named,
    check_grid,
    check_grid_density,
    check_real,
    log_base,
)

__all__ = ["kl_on_grid"]


def kl_on_grid(
    p: ArrayLike,
    q: ArrayLike,
    x: ArrayLike,
    *,
    base: float | None = None,
    mass_tol: float | None = 1e-3,
) -> float | np.ndarray:
    r"""Integrate the Kullback-Leibler divergence of densities on a grid.

    Parameters
    ----------
    p, q : array_like
        Values of the probability densities of `p` and of the reference `q`
        at the points `x`, along the last axis. Leading axes hold a batch of
        pairs and broadcast by numpy's rules (for example several `p`
        against one `q`).
    x : array_like
        The grid: a one-dimensional, strictly increasing array of at least
        two points, evenly spaced or not.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).
    mass_tol : float or None, optional
        How far from 1 the trapezoid integral of each of `p` and `q` over
        the grid may be (default 1e-3): the grid's truncation (mass outside
        :math:`[x_0, x_{N-1}]`) plus its discretisation error. A density
        scaled by mistake, such as ``10 * q``, or a grid that misses where
        the mass is, is then a `ValueError` instead of a wrong number.
        ``None`` skips the check, for a partial integral over a region on
        purpose (nothing is renormalised either way).

    Returns
    -------
    float or ndarray
        The trapezoid-rule approximation of
        :math:`D_{\mathrm{KL}}(p \| q) \ge 0` over :math:`[x_0, x_{N-1}]`,
        possibly ``inf``: a float for one-dimensional `p` and `q`, otherwise
        an array of their broadcast shape without the last axis.

    Raises
    ------
    ValueError
        If `x` is not one-dimensional, has fewer than 2 points, is not
        strictly increasing or is not finite; if `p` or `q` is not numeric,
        does not have one value per grid point along its last axis, or
        contains negative, NaN or infinite values; if `p` and `q` do not
        broadcast; if `base` is not a number greater than 1; or if `p` or
        `q` does not integrate to 1 within `mass_tol` on the grid.

    See Also
    --------
    kl_divergence : the same divergence between pmfs.

    Notes
    -----
    With :math:`f(x) = p(x) \log(p(x) / q(x))` and steps
    :math:`h_i = x_{i+1} - x_i`, the result is

    .. math::

       D_{\mathrm{KL}}(p \| q) = \int p(x) \log \frac{p(x)}{q(x)} \, dx
       \approx \sum_{i=0}^{N-2} h_i \, \frac{f(x_i) + f(x_{i+1})}{2}.

    The grid step :math:`h_i` is part of the integral. Summing density values
    without it, a common mistake, is out by a factor of :math:`1/h`: for
    :math:`N(0, 2^2)` against :math:`N(2, 2^2)` on a grid of step 0.001,
    ``np.sum(p * np.log(p / q))`` gives about 500 instead of 0.5. This
    function takes the grid itself rather than a step so that the step cannot
    be left out.

    Zeros follow `kl_divergence`: a grid point with :math:`p = 0` contributes
    0 whatever :math:`q` is, and a grid point with :math:`p > 0` and
    :math:`q = 0` makes the result ``inf`` (`p` is not absolutely continuous
    with respect to `q`). A grid cannot tell an isolated zero of `q` from a
    region where `q` vanishes, so a `q` that is zero at a single point where
    `p` is positive (for example the density :math:`2x` on :math:`[0, 1]` at
    :math:`x = 0`) gives ``inf`` even though the integral may be finite; move
    the grid off such points. The result is never NaN.

    The error is :math:`O(h^2)` for an integrand with two continuous
    derivatives, and much smaller for smooth integrands that decay to zero at
    both ends of an evenly spaced grid. Mass outside
    :math:`[x_0, x_{N-1}]` is ignored, so the grid should cover where `p`
    has mass. The divergence of two densities is non-negative; a negative
    sum, which only discretisation or truncation can produce, is returned as
    0.

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On information and sufficiency",
       *Ann. Math. Statist.* 22(1), 79-86, 1951.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import norm
    >>> from kltools import kl_on_grid
    >>> x = np.linspace(-20, 20, 40001)  # a grid of step 0.001
    >>> p, q = norm.pdf(x, 0, 2), norm.pdf(x, 2, 2)  # N(0, 2^2) and N(2, 2^2)
    >>> round(kl_on_grid(p, q, x), 6)  # closed form: 2**2 / (2 * 2**2) = 0.5
    0.5
    >>> round(float(np.sum(p * np.log(p / q))))  # the mistake: no grid step
    500

    Grids need not be evenly spaced; several `p` against one `q`:

    >>> x = np.sinh(np.linspace(-4, 4, 8001))  # dense near 0, sparse in tails
    >>> p = norm.pdf(x, [[0.0], [1.0]], 1)  # N(0, 1) and N(1, 1), one per row
    >>> kl_on_grid(p, norm.pdf(x, 0, 1), x, base=2).round(6)  # 0 and 1/(2 ln 2)
    array([0.      , 0.721348])
    """
    divisor = log_base(base)
    if mass_tol is not None:
        mass_tol = check_real(mass_tol, "mass_tol", positive=True)
    x = check_grid(x, "x")
    p = check_grid_density(p, "p", x.size)
    q = check_grid_density(q, "q", x.size)
    p, q = broadcast_named({"p": p, "q": q})
    w = trapezoid_weights(x)
    if mass_tol is not None:
        for dens, name in ((p, "p"), (q, "q")):
            mass = (dens * w).sum(axis=-1)
            off = np.abs(mass - 1.0)
            if (off > mass_tol).any():
                worst = float(np.ravel(mass)[np.argmax(np.ravel(off))])
                raise ValueError(
                    f"`{name}` integrates to {worst:.6g} on the grid, not 1 within "
                    f"`mass_tol`={mass_tol:g}: check that it is a density (not "
                    "scaled) and that the grid covers its mass, or pass "
                    "mass_tol=None for a partial integral"
                )
    with np.errstate(all="ignore"):  # inf terms give inf, as intended
        f = p * np.log(p / q)
        repair_kl_terms(p, q, f)
        # Not a matrix product: summing each row the same way keeps a batch
        # bit-for-bit equal to one call per row.
        total = (f * w).sum(axis=-1)
    return finish_nats(total, divisor)
