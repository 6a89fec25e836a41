"""Tests for the elementwise kernels of kltools._numerics, before any clamp."""

import math

import numpy as np
from numpy.testing import assert_allclose

from kltools._numerics import (
    log_ratio,
    log_ratio_scalar,
)


def test_log_ratio_infinite_denominator_is_minus_inf():
    """log(a / inf) = -inf, and log(inf / b) = inf.

    |a - inf| = inf is not below 0.5 * inf, so the direct branch
    log(a) - log(b) decides; a switch test ``<=`` instead of ``<`` would
    take log1p(-inf / inf) = NaN.
    """
    with np.errstate(invalid="ignore"):
        assert log_ratio(1.0, math.inf) == -math.inf
        assert log_ratio(math.inf, 2.0) == math.inf
        assert log_ratio_scalar(1.0, math.inf) == -math.inf
        assert log_ratio_scalar(math.inf, 2.0) == math.inf


def test_log_ratio_matches_log_of_exact_ratio():
    """Ratios whose logarithm is known exactly: 2**k / 2**j = 2**(k - j)."""
    a = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.5])
    b = np.array([1.0, 1.0, 2.0, 1024.0, 3.0, 1.0])
    expected = [0.0, math.log(2), -math.log(2), -10 * math.log(2), 0.0, math.log(1.5)]
    assert_allclose(log_ratio(a, b), expected, rtol=4e-16, atol=0)
    for ai, bi, ei in zip(a, b, expected, strict=True):
        assert_allclose(log_ratio_scalar(float(ai), float(bi)), ei, rtol=4e-16, atol=0)


def test_log_ratio_keeps_relative_accuracy_for_nearby_values():
    """a = 3 (1 + 2**-30) and a = 5 (1 - 2**-40), both exact floats.

    References (mpmath 1.4.1, mp.dps = 50):
    ``mp.log(1 + mp.mpf(2)**-30)`` = 9.313225741817976469000627e-10 and
    ``mp.log(1 - mp.mpf(2)**-40)`` = -9.094947017733418282213158e-13.
    The difference log(a) - log(b) of the direct branch loses about 7 (10)
    digits here; a switch that never picks log1p (e.g. ``|a + b|`` for
    ``|a - b|``) fails.
    """
    a = np.array([3.0 * (1 + 2.0**-30), 5.0 * (1 - 2.0**-40)])
    b = np.array([3.0, 5.0])
    expected = [9.313225741817976469000627e-10, -9.094947017733418282213158e-13]
    assert_allclose(log_ratio(a, b), expected, rtol=1e-15, atol=0)
    for ai, bi, ei in zip(a, b, expected, strict=True):
        assert_allclose(log_ratio_scalar(float(ai), float(bi)), ei, rtol=1e-15, atol=0)
