"""Tests for kltools.chernoff_information and kltools.bayes_error."""

import itertools
import math

import mpmath
import numpy as np
import pytest

from kltools import bayes_error, chernoff_information, kl_divergence

mpmath.mp.dps = 30


@pytest.mark.parametrize("a", [0.01, 0.2, 0.25, 0.45])
def test_mirror_coins_closed_form(a):
    """For (a, 1-a) against (1-a, a), lambda* = 1/2: C = -log(2 sqrt(a(1-a)))."""
    got = chernoff_information([a, 1 - a], [1 - a, a])
    np.testing.assert_allclose(got, -math.log(2 * math.sqrt(a * (1 - a))), rtol=1e-9)


def _mp_chernoff(p, q):
    """Root of the derivative of sum p^l q^(1-l) in (0, 1), with mpmath."""
    p = [mpmath.mpf(x) for x in p]
    q = [mpmath.mpf(x) for x in q]

    def deriv(lam):
        return sum(
            a**lam * b ** (1 - lam) * mpmath.log(a / b)
            for a, b in zip(p, q, strict=True)
        )

    lam = mpmath.findroot(deriv, 0.5)
    return float(
        -mpmath.log(sum(a**lam * b ** (1 - lam) for a, b in zip(p, q, strict=True)))
    )


@pytest.mark.parametrize(
    ("p", "q"),
    [
        ([0.6, 0.3, 0.1], [0.2, 0.3, 0.5]),
        ([0.5, 0.5], [0.25, 0.75]),
        ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]),
    ],
)
def test_against_mpmath_root(p, q):
    got = chernoff_information(p, q)
    np.testing.assert_allclose(got, _mp_chernoff(p, q), rtol=1e-8)
    np.testing.assert_allclose(chernoff_information(q, p), got, rtol=1e-8)  # symmetric
    assert got < min(kl_divergence(p, q), kl_divergence(q, p))
    np.testing.assert_allclose(
        chernoff_information(p, q, base=2), got / math.log(2), rtol=1e-12
    )


def test_edge_cases():
    assert chernoff_information([0.3, 0.7], [0.3, 0.7]) == 0.0
    assert chernoff_information([1.0, 0.0], [0.0, 1.0]) == math.inf  # no shared outcome


def _brute_bayes(p, q, n, prior):
    """Sum over all K**n sequences of the smaller joint probability."""
    total = 0.0
    for seq in itertools.product(range(len(p)), repeat=n):
        total += min(
            prior * math.prod(p[i] for i in seq),
            (1 - prior) * math.prod(q[i] for i in seq),
        )
    return total


@pytest.mark.parametrize(
    ("p", "q", "n", "prior"),
    [
        ([0.5, 0.5], [0.25, 0.75], 7, 0.5),
        ([0.6, 0.3, 0.1], [0.2, 0.3, 0.5], 5, 0.3),
        ([0.6, 0.4, 0.0], [0.2, 0.3, 0.5], 4, 0.5),
    ],
)
def test_bayes_error_against_sequences(p, q, n, prior):
    np.testing.assert_allclose(
        bayes_error(p, q, n, prior), _brute_bayes(p, q, n, prior), rtol=1e-12
    )


def test_one_draw_is_half_of_one_minus_total_variation():
    """With prior 1/2 and one draw, P_e = (1 - TV(p, q)) / 2."""
    p, q = np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(
        bayes_error(p, q, 1), (1 - 0.5 * np.abs(p - q).sum()) / 2
    )


def test_exponent_approaches_chernoff_information():
    """At n = 20000, -(1/n) log P_e is within 2% of C (the gap is ~ log(n) / (2n))."""
    p, q = [0.5, 0.5], [0.25, 0.75]
    e = -bayes_error(p, q, 20000, log=True) / 20000
    c = _mp_chernoff(p, q)
    assert c < e < 1.02 * c


def test_bad_input():
    with pytest.raises(ValueError, match="`prior` must be in"):
        bayes_error([0.5, 0.5], [0.25, 0.75], 3, 1.0)
    with pytest.raises(TypeError, match="`n` must be a positive integer"):
        bayes_error([0.5, 0.5], [0.25, 0.75], 2.5)
    with pytest.raises(ValueError, match="`n` must be a positive integer"):
        bayes_error([0.5, 0.5], [0.25, 0.75], 0)
    with pytest.raises(ValueError, match="`p` has 2 outcomes but `q` has 3"):
        chernoff_information([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="`q` must sum to 1"):
        chernoff_information([0.5, 0.5], [0.2, 0.3])
