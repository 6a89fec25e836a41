"""Closed-form Kullback-Leibler divergences between normal distributions.

The formulas are rearranged into sums of non-negative terms, each computed
without cancellation (``exp(x) - 1 - x`` and ``(1 + t) log(1 + t) - t`` by
their Taylor series near 0), so nearly equal distributions give small
divergences to full relative precision instead of rounding noise.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike

from ._numerics import (
    expm1mx,
    expm1mx_scalar,
    finish_nats,
    log_ratio,
    log_ratio_scalar,
    unwrap,
)
from ._numerics import kl_div as kl_div
from ._validation import (
    broadcast_named,
    finite_array,
    log_base,
    positive_array,
)

__all__ = ["cross_entropy_normal", "entropy_normal", "kl_mvnormal", "kl_normal"]


def _normal_pair(
    mu_p: ArrayLike, sigma_p: ArrayLike, mu_q: ArrayLike, sigma_q: ArrayLike
) -> list[np.ndarray]:
    """Validate and broadcast the parameters of two univariate normals."""
    return broadcast_named(
        {
            "mu_p": finite_array(mu_p, "mu_p"),
            "sigma_p": positive_array(sigma_p, "sigma_p"),
            "mu_q": finite_array(mu_q, "mu_q"),
            "sigma_q": positive_array(sigma_q, "sigma_q"),
        }
    )


def normal_nats(
    mu_p: np.ndarray, sigma_p: np.ndarray, mu_q: np.ndarray, sigma_q: np.ndarray
) -> np.ndarray:
    """KL in nats between normals with validated parameters (no checks)."""
    u = log_ratio(sigma_p, sigma_q)
    with np.errstate(over="ignore"):
        d = (mu_p - mu_q) / sigma_q
        return 0.5 * (expm1mx(2.0 * u) + d * d)


def _scalar_normal_nats(*params: object) -> float | None:
    """`normal_nats` for four valid Python numbers, else None.

    The small-input path of `kl_normal`: the same formula with `math`
    instead of numpy. Anything else (arrays, invalid values, a log-ratio
    large enough to overflow ``exp``) returns None for the general path,
    which performs the checks and raises the usual errors.
    """
    for v in params:
        if type(v) is not float and type(v) is not int:
            return None
    mp, sp, mq, sq = (float(v) for v in params)  # type: ignore[arg-type]
    if not (
        abs(mp) < math.inf
        and abs(mq) < math.inf
        and 0.0 < sp < math.inf
        and 0.0 < sq < math.inf
    ):
        return None
    u = log_ratio_scalar(sp, sq)
    if abs(u) > 350.0:
        return None
    d = (mp - mq) / sq
    kl = 0.5 * (expm1mx_scalar(2.0 * u) + d * d)
    return kl if kl > 0.0 else 0.0


def kl_normal(
    mu_p: ArrayLike,
    sigma_p: ArrayLike,
    mu_q: ArrayLike,
    sigma_q: ArrayLike,
    *,
    base: float | None = None,
) -> float | np.ndarray:
    r"""Compute the KL divergence between two univariate normal distributions.

    .. warning:: `sigma_p` and `sigma_q` are **standard deviations**, not
       variances: ``kl_normal(0, 2, 0, 1)`` compares N(0, 2²) with N(0, 1),
       as ``scipy.stats.norm(loc, scale)`` does. Passing a variance where a
       standard deviation is expected is the most common error in published
       KL calculations.

    Parameters
    ----------
    mu_p, sigma_p : array_like
        Mean and **standard deviation** of :math:`P = N(\mu_p, \sigma_p^2)`.
    mu_q, sigma_q : array_like
        Mean and **standard deviation** of :math:`Q = N(\mu_q, \sigma_q^2)`.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float or ndarray
        :math:`D_{\mathrm{KL}}(P \| Q) \ge 0`: a float when every input is a
        scalar, otherwise an array of the broadcast shape.

    Raises
    ------
    ValueError
        If a mean is not finite, a standard deviation is not positive and
        finite, the inputs do not broadcast, or `base` is invalid.

    See Also
    --------
    kl_mvnormal : multivariate normals; agrees with this for 1 x 1
        covariances ``[[sigma**2]]``.
    kl_between : KL between frozen `scipy.stats` distributions.

    Notes
    -----
    .. math::

        D_{\mathrm{KL}}(P \| Q) = \log\frac{\sigma_q}{\sigma_p}
        + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2 \sigma_q^2} - \frac12 .

    It is computed as :math:`\tfrac12 [(e^{2u} - 1 - 2u) + d^2]` with
    :math:`u = \log(\sigma_p / \sigma_q)` and
    :math:`d = (\mu_p - \mu_q) / \sigma_q`, two non-negative terms each
    evaluated without cancellation, so the relative accuracy is a few units
    in the last place even for nearly equal distributions. The result is
    exactly 0 for equal parameters, depends on the means only through
    :math:`(\mu_p - \mu_q)/\sigma_q`, and is unchanged when both
    distributions are shifted or scaled together. It grows without bound
    as :math:`\sigma_p / \sigma_q \to 0` (like :math:`-\log`) or
    :math:`\to \infty` (like the square), and overflows to ``inf`` only
    when the true value exceeds the largest float.

    References
    ----------
    .. [1] S. Kullback, *Information Theory and Statistics*, Wiley, 1959.
    .. [2] J. Duchi, "Derivations for linear algebra and optimization",
       Stanford University, 2007 (KL between normals).

    Examples
    --------
    >>> from kltools import kl_normal
    >>> round(kl_normal(0, 1, 1, 1), 6)  # means one standard deviation apart
    0.5
    >>> round(kl_normal(0, 2, 2, 2), 6)  # same shift in units of sigma = 2
    0.5
    >>> round(kl_normal(0, 1, 0, 2), 6)  # q twice as wide as p
    0.318147
    >>> round(kl_normal(0, 2, 0, 1), 6)  # ... and the reverse: not symmetric
    0.806853
    >>> kl_normal(0, 1, [0, 1, 2], 1, base=2).round(6)  # bits, broadcasting
    array([0.      , 0.721348, 2.88539 ])
    """
    divisor = log_base(base)
    small = _scalar_normal_nats(mu_p, sigma_p, mu_q, sigma_q)
    if small is not None:
        return small / divisor
    mp, sp, mq, sq = _normal_pair(mu_p, sigma_p, mu_q, sigma_q)
    return finish_nats(normal_nats(mp, sp, mq, sq), divisor)


def _cholesky(cov: np.ndarray, name: str) -> np.ndarray:
    """Lower Cholesky factors of a stack of covariance matrices.

    `name` is how error messages refer to `cov` (e.g. "`cov_p`").
    """
    scale = np.abs(cov).max(axis=(-2, -1), keepdims=True)
    asym = np.abs(cov - np.swapaxes(cov, -1, -2))
    # Symmetric to rounding: np.cov and X.T @ X give exactly or nearly
    # symmetric matrices; anything further off is a wrong argument.
    if (asym > math.sqrt(np.finfo(np.float64).eps) * scale).any():
        raise ValueError(f"{name} must be symmetric")
    try:
        low = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} is not positive definite (its Cholesky factorisation "
            "failed); a singular covariance has no density, so the KL "
            "divergence is not defined by this formula"
        ) from None
    diag = np.diagonal(low, axis1=-2, axis2=-1)
    if not (np.isfinite(low).all() and (diag > 0.0).all()):
        raise ValueError(f"{name} is not positive definite")
    return low


#: Condition number of a covariance beyond which `kl_mvnormal` warns: the
#: result's relative error can reach about cond * 2.2e-16 (1e-5 here), and a
#: 12 x 12 Hilbert matrix (cond 1.6e16) against 1.0001 times itself gives
#: 5.2e-4 for a true 2.3e-5.
COND_WARN = 1e10


def _warn_ill_conditioned(covs: dict[str, np.ndarray]) -> None:
    """Warn once if any covariance has a condition number above COND_WARN."""
    bad = []
    for name, cov in covs.items():
        with np.errstate(all="ignore"):
            sv = np.linalg.svd(cov, compute_uv=False)
            cond = sv[..., 0] / sv[..., -1]
        worst = float(np.max(np.where(np.isnan(cond), np.inf, cond)))
        if worst > COND_WARN:
            bad.append(f"{name} (condition number {worst:.3g})")
    if bad:
        warnings.warn(
            f"ill-conditioned covariance: {' and '.join(bad)} above "
            f"{COND_WARN:g}; the divergence may have lost most of its "
            "relative accuracy (error up to about cond * 2.2e-16 relative)",
            RuntimeWarning,
            stacklevel=3,
        )


def _solve_lower(low: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``low @ x = rhs`` for lower-triangular stacks ``(..., k, k)``.

    Recent SciPy (1.17) solves a stack in one call; SciPy 1.15 and older
    raise "expected square matrix", and then each matrix is solved in turn.
    """
    try:
        return scipy.linalg.solve_triangular(low, rhs, lower=True)
    except ValueError:  # older SciPy: "expected square matrix"
        k = low.shape[-1]
        flat_low = low.reshape(-1, k, k)
        flat_rhs = rhs.reshape(-1, k, rhs.shape[-1])
        out = np.empty(flat_rhs.shape)
        for i in range(flat_low.shape[0]):
            out[i] = scipy.linalg.solve_triangular(flat_low[i], flat_rhs[i], lower=True)
        return out.reshape(rhs.shape)


def mvnormal_nats(
    mean_p: np.ndarray,
    cov_p: np.ndarray,
    mean_q: np.ndarray,
    cov_q: np.ndarray,
    names: tuple[str, str, str, str] = ("`mean_p`", "`cov_p`", "`mean_q`", "`cov_q`"),
) -> np.ndarray:
    """KL in nats between multivariate normals given finite arrays.

    Checks shapes, symmetry and positive definiteness; `names` are used in
    the error messages.
    """
    n_mp, n_cp, n_mq, n_cq = names
    for m, name in ((mean_p, n_mp), (mean_q, n_mq)):
        if m.ndim < 1 or m.shape[-1] == 0:
            raise ValueError(
                f"{name} must have shape (..., k) with k >= 1, got {m.shape}"
            )
    k = mean_p.shape[-1]
    if mean_q.shape[-1] != k:
        raise ValueError(
            f"{n_mp} and {n_mq} have different dimensions: {k} and {mean_q.shape[-1]}"
        )
    for c, name in ((cov_p, n_cp), (cov_q, n_cq)):
        if c.ndim < 2 or c.shape[-2:] != (k, k):
            raise ValueError(
                f"{name} must have shape (..., {k}, {k}) to match the means, "
                f"got {c.shape}"
            )
    try:
        batch = np.broadcast_shapes(
            mean_p.shape[:-1], cov_p.shape[:-2], mean_q.shape[:-1], cov_q.shape[:-2]
        )
    except ValueError:
        raise ValueError(
            "batch shapes do not broadcast: "
            f"{n_mp} {mean_p.shape}, {n_cp} {cov_p.shape}, "
            f"{n_mq} {mean_q.shape}, {n_cq} {cov_q.shape}"
        ) from None
    # Factor each distinct matrix once, then broadcast the factors.
    low_p = np.broadcast_to(_cholesky(cov_p, n_cp), (*batch, k, k))
    low_q = np.broadcast_to(_cholesky(cov_q, n_cq), (*batch, k, k))
    _warn_ill_conditioned({n_cp: cov_p, n_cq: cov_q})
    diff = np.broadcast_to(mean_q - mean_p, (*batch, k))
    with np.errstate(over="ignore"):
        # A = Lq^{-1} Lp is lower triangular with diagonal Lp_ii / Lq_ii, so
        # tr(A A^T) - k - log det(A A^T)
        #   = sum_i (a_ii^2 - 1 - 2 log a_ii) + sum_{i>j} a_ij^2.
        # The strictly lower part of A is that of A - I = Lq^{-1} (Lp - Lq),
        # which is exactly 0 for equal covariances and keeps its relative
        # accuracy when they are close.
        a = _solve_lower(low_q, low_p - low_q)
        b = _solve_lower(low_q, diff[..., None])
        off = np.tril(a, -1)
        u = log_ratio(
            np.diagonal(low_p, axis1=-2, axis2=-1),
            np.diagonal(low_q, axis1=-2, axis2=-1),
        )
        diag_terms = expm1mx(2.0 * u).sum(axis=-1)
        return 0.5 * (
            diag_terms + (off * off).sum(axis=(-2, -1)) + (b * b).sum(axis=(-2, -1))
        )


def kl_mvnormal(
    mean_p: ArrayLike,
    cov_p: ArrayLike,
    mean_q: ArrayLike,
    cov_q: ArrayLike,
    *,
    base: float | None = None,
) -> float | np.ndarray:
    r"""Compute the KL divergence between two multivariate normal distributions.

    Parameters
    ----------
    mean_p, cov_p : array_like
        Mean, shape ``(..., k)``, and covariance matrix, shape
        ``(..., k, k)``, of :math:`P = N(\mu_p, \Sigma_p)`. The covariance
        holds variances on its diagonal (not standard deviations).
    mean_q, cov_q : array_like
        Mean and covariance of :math:`Q = N(\mu_q, \Sigma_q)`.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float or ndarray
        :math:`D_{\mathrm{KL}}(P \| Q) \ge 0`: a float for a single pair,
        otherwise an array of the broadcast batch shape (the leading
        dimensions of all four inputs broadcast).

    Raises
    ------
    ValueError
        If an input is not finite, the shapes are inconsistent (``k``
        differs, a covariance is not square, or batch shapes do not
        broadcast), a covariance is not symmetric or not positive definite
        (the message names `cov_p` or `cov_q`), or `base` is invalid.

    Warns
    -----
    RuntimeWarning
        If `cov_p` or `cov_q` has a condition number above ``1e10``: the
        result's relative error can then reach ``cond * 2.2e-16``.

    See Also
    --------
    kl_normal : the univariate case, parameterised by standard deviations.
    kl_between : KL between frozen `scipy.stats` distributions.

    Notes
    -----
    .. math::

        D_{\mathrm{KL}}(P \| Q) = \frac12 \left[
        \operatorname{tr}(\Sigma_q^{-1} \Sigma_p)
        + (\mu_q - \mu_p)^\top \Sigma_q^{-1} (\mu_q - \mu_p)
        - k + \log \frac{\det \Sigma_q}{\det \Sigma_p} \right].

    No inverse or determinant is formed. With Cholesky factors
    :math:`\Sigma = L L^\top`, the triangular solves
    :math:`A = L_q^{-1} L_p` and :math:`b = L_q^{-1}(\mu_q - \mu_p)` give

    .. math::

        D_{\mathrm{KL}} = \frac12 \Big[ \sum_i (a_{ii}^2 - 1 - 2 \log a_{ii})
        + \sum_{i > j} a_{ij}^2 + \lVert b \rVert^2 \Big],

    a sum of non-negative terms, with :math:`a_{ii} = (L_p)_{ii} / (L_q)_{ii}`
    and the strictly lower part of :math:`A` obtained as that of
    :math:`L_q^{-1}(L_p - L_q)`. Equal inputs give exactly 0; for nearly
    equal covariances the absolute error is about
    :math:`k \varepsilon \sqrt{D_{\mathrm{KL}}}` (the rounding of the two
    Cholesky factorisations), far below the divergence itself. For
    ``k = 1`` this is the computation of `kl_normal`. The
    divergence is finite for any pair of positive definite covariances; a
    singular covariance (a distribution without density) is rejected
    rather than answered with ``inf`` or ``nan``. Accuracy degrades with
    the condition number of :math:`\Sigma_q`, as for any solve.

    References
    ----------
    .. [1] S. Kullback, *Information Theory and Statistics*, Wiley, 1959.
    .. [2] J. Duchi, "Derivations for linear algebra and optimization",
       Stanford University, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_mvnormal
    >>> round(kl_mvnormal([0, 0], np.eye(2), [1, 0], np.eye(2)), 6)  # shift 1
    0.5
    >>> cov = [[1.0, 0.9], [0.9, 1.0]]  # strongly correlated
    >>> round(kl_mvnormal([0, 0], cov, [0, 0], np.eye(2)), 6)  # vs independent
    0.830366
    >>> means = np.array([[0, 0], [1, 0], [2, 0]])  # a batch of three means
    >>> kl_mvnormal(means, np.eye(2), [0, 0], np.eye(2)).round(6)
    array([0. , 0.5, 2. ])
    """
    divisor = log_base(base)
    mp = finite_array(mean_p, "mean_p")
    cp = finite_array(cov_p, "cov_p")
    mq = finite_array(mean_q, "mean_q")
    cq = finite_array(cov_q, "cov_q")
    return finish_nats(mvnormal_nats(mp, cp, mq, cq), divisor)


# 0.5 * log(2 pi e) and 0.5 * log(2 pi): the constant parts of the normal
# entropy and cross-entropy in nats.
_HALF_LOG_2PIE = 0.5 * (1.0 + math.log(2.0 * math.pi))
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def entropy_normal(
    sigma: ArrayLike, *, base: float | None = None
) -> float | np.ndarray:
    r"""Compute the differential entropy of a univariate normal distribution.

    Parameters
    ----------
    sigma : array_like
        **Standard deviation** (not variance) of
        :math:`P = N(\mu, \sigma^2)`. The entropy does not depend on the
        mean.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float or ndarray
        :math:`h(P)`: a float for scalar `sigma`, otherwise an array of its
        shape. It is negative when :math:`\sigma < 1/\sqrt{2 \pi e}
        \approx 0.242`.

    Raises
    ------
    ValueError
        If `sigma` is not positive and finite, or `base` is invalid.

    See Also
    --------
    cross_entropy_normal : :math:`H(P, Q)`, equal to
        ``entropy_normal(sigma_p) + kl_normal(mu_p, sigma_p, mu_q, sigma_q)``.
    entropy : Shannon entropy of discrete distributions.

    Notes
    -----
    .. math::

        h(P) = -\int p(x) \log p(x) \, dx = \tfrac12 \log(2 \pi e \sigma^2)
             = \tfrac12 (1 + \log 2\pi) + \log \sigma .

    Unlike the entropy of a discrete distribution, the differential entropy
    can be negative, and it changes under a change of units: scaling
    :math:`x` by :math:`c` adds :math:`\log c`. It tends to :math:`-\infty`
    as :math:`\sigma \to 0` and to :math:`+\infty` (like
    :math:`\log \sigma`) as :math:`\sigma \to \infty`.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, Example 8.1.2.

    Examples
    --------
    >>> from kltools import entropy_normal
    >>> round(entropy_normal(1), 6)  # standard normal, in nats
    1.418939
    >>> round(entropy_normal(1, base=2), 6)  # ... and in bits
    2.047096
    >>> round(entropy_normal(0.1), 6)  # narrow: differential entropy < 0
    -0.883647
    >>> entropy_normal([1, 2, 4]).round(6)  # doubling sigma adds log 2
    array([1.418939, 2.112086, 2.805233])
    """
    divisor = log_base(base)
    s = positive_array(sigma, "sigma")
    return unwrap((_HALF_LOG_2PIE + np.log(s)) / divisor)


def cross_entropy_normal(
    mu_p: ArrayLike,
    sigma_p: ArrayLike,
    mu_q: ArrayLike,
    sigma_q: ArrayLike,
    *,
    base: float | None = None,
) -> float | np.ndarray:
    r"""Compute the cross-entropy between two univariate normal distributions.

    Parameters
    ----------
    mu_p, sigma_p : array_like
        Mean and **standard deviation** (not variance) of
        :math:`P = N(\mu_p, \sigma_p^2)`, the distribution the expectation
        is taken under.
    mu_q, sigma_q : array_like
        Mean and **standard deviation** of :math:`Q = N(\mu_q, \sigma_q^2)`,
        the model whose log-density is averaged.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float or ndarray
        :math:`H(P, Q)`: a float when every input is a scalar, otherwise an
        array of the broadcast shape. Like the differential entropy it can
        be negative.

    Raises
    ------
    ValueError
        If a mean is not finite, a standard deviation is not positive and
        finite, the inputs do not broadcast, or `base` is invalid.

    See Also
    --------
    entropy_normal : :math:`h(P) = H(P, P)`.
    kl_normal : :math:`D_{\mathrm{KL}}(P \| Q) = H(P, Q) - h(P)`.
    cross_entropy : the discrete counterpart.

    Notes
    -----
    .. math::

        H(P, Q) = -\int p(x) \log q(x) \, dx
                = \tfrac12 \log(2 \pi \sigma_q^2)
                  + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2 \sigma_q^2} ,

    since :math:`E_P[(X - \mu_q)^2] = \sigma_p^2 + (\mu_p - \mu_q)^2`. It
    satisfies :math:`H(P, Q) = h(P) + D_{\mathrm{KL}}(P \| Q) \ge h(P)`,
    with equality exactly when :math:`P = Q`. It tends to :math:`+\infty`
    as :math:`\sigma_q \to 0` (like :math:`1/\sigma_q^2`) and as
    :math:`\sigma_q \to \infty` (like :math:`\log \sigma_q`); a value too
    large for a float is ``inf``. With samples :math:`x_i` from `P`,
    :math:`-\frac1n \sum_i \log q(x_i)` (the average negative
    log-likelihood of the model `Q`) estimates it.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, Sections 2.3 and 8.5.

    Examples
    --------
    >>> from kltools import cross_entropy_normal, entropy_normal, kl_normal
    >>> round(cross_entropy_normal(0, 2, 5, 4), 6)  # P = N(0, 2²), Q = N(5, 4²)
    3.211483
    >>> # entropy of P plus KL(P || Q) gives the same number
    >>> round(entropy_normal(2) + kl_normal(0, 2, 5, 4), 6)
    3.211483
    >>> round(cross_entropy_normal(0, 1, 0, 1), 6)  # H(P, P) = h(P)
    1.418939
    >>> cross_entropy_normal(0, 1, [0, 1, 2], 1).round(6)  # broadcasting
    array([1.418939, 1.918939, 3.418939])
    """
    divisor = log_base(base)
    mp, sp, mq, sq = _normal_pair(mu_p, sigma_p, mu_q, sigma_q)
    # Ratios before squaring: sigma_p**2 alone could overflow when the
    # answer itself is finite.
    with np.errstate(over="ignore"):
        r = sp / sq
        d = (mp - mq) / sq
        nats = _HALF_LOG_2PI + np.log(sq) + 0.5 * (r * r + d * d)
    return unwrap(nats / divisor)
