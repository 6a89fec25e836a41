"""Tests for `kltools.kl_on_grid`."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.integrate import quad
from scipy.stats import norm

from kltools import kl_on_grid


def kl_normal_closed_form(m1, s1, m2, s2):
    """KL(N(m1, s1^2) || N(m2, s2^2)) in nats; s1, s2 are standard deviations."""
    return 0.5 * ((s1 / s2) ** 2 + (m1 - m2) ** 2 / s2**2 - 1 + 2 * math.log(s2 / s1))


def integrand_second_derivative(x, m1, s1, m2, s2):
    """f'' for f = p log(p/q) with normal p and q, written out by hand.

    log(p/q) = g(x) = a x^2 + b x + c, so f'' = p'' g + 2 p' g' + p g''.
    """
    a = 0.5 / s2**2 - 0.5 / s1**2
    b = m1 / s1**2 - m2 / s2**2
    g = norm.logpdf(x, m1, s1) - norm.logpdf(x, m2, s2)
    p = norm.pdf(x, m1, s1)
    dp = -(x - m1) / s1**2 * p
    d2p = ((x - m1) ** 2 / s1**4 - 1 / s1**2) * p
    return d2p * g + 2 * dp * (2 * a * x + b) + p * 2 * a


NORMAL_PAIRS = [
    (0.0, 2.0, 2.0, 2.0),  # the example of the docstring: 0.5
    (0.0, 1.0, 0.0, 3.0),
    (1.0, 0.5, -1.0, 3.0),
    (-2.0, 3.0, 1.0, 1.5),
]


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), NORMAL_PAIRS)
def test_uniform_grid_matches_normal_closed_form(m1, s1, m2, s2):
    """Evenly spaced grid: agrees with the closed form to rounding error."""
    # The integrand is smooth and all its derivatives vanish (to ~e^-70) at
    # both ends of a grid 12 standard deviations wide, so by Euler-Maclaurin
    # the trapezoid rule's error is far below rounding; what is left is
    # rounding in ~10^4 terms of size <= 10, about 1e-12.
    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)
    x = np.linspace(lo, hi, 10_001)
    p, q = norm.pdf(x, m1, s1), norm.pdf(x, m2, s2)
    expected = kl_normal_closed_form(m1, s1, m2, s2)
    assert_allclose(kl_on_grid(p, q, x, mass_tol=None), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), NORMAL_PAIRS)
def test_random_grid_within_trapezoid_error_bound(m1, s1, m2, s2):
    """Unevenly spaced grid: error within the trapezoid bound sum(h^3)/12 max|f''|."""
    rng = np.random.default_rng(3)
    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)
    x = np.unique(np.concatenate([[lo, hi], rng.uniform(lo, hi, 100_000)]))
    p, q = norm.pdf(x, m1, s1), norm.pdf(x, m2, s2)
    fine = np.linspace(lo, hi, 1_000_001)
    max_f2 = np.abs(integrand_second_derivative(fine, m1, s1, m2, s2)).max()
    bound = 1.01 * np.sum(np.diff(x) ** 3) / 12 * max_f2  # 1% for the sampled max
    expected = kl_normal_closed_form(m1, s1, m2, s2)
    assert bound < 1e-3 * expected  # the bound makes this a sharp test
    assert_allclose(kl_on_grid(p, q, x, mass_tol=None), expected, rtol=0, atol=bound)


def test_sinh_grid_converges_at_second_order():
    """Halving every step of an uneven grid divides the error by about 4."""
    m1, s1, m2, s2 = 1.0, 0.5, -1.0, 3.0
    expected = kl_normal_closed_form(m1, s1, m2, s2)
    errors = []
    for points in (1001, 2001, 4001):
        x = 8 * np.sinh(np.linspace(-2.5, 2.5, points))
        errors.append(
            kl_on_grid(norm.pdf(x, m1, s1), norm.pdf(x, m2, s2), x, mass_tol=None)
            - expected
        )
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert_allclose(ratios, 4.0, rtol=0.02)


def test_result_does_not_scale_with_grid_step():
    """The grid step is in the integral: steps 0.001 and 0.01 both give 0.5."""
    # Summing p*log(p/q) without the step gives 500 and 50 on these grids.
    for step in (0.001, 0.01):
        x = np.arange(-20.0, 20.0 + step / 2, step)
        p, q = norm.pdf(x, 0, 2), norm.pdf(x, 2, 2)
        assert_allclose(kl_on_grid(p, q, x, mass_tol=None), 0.5, rtol=0, atol=1e-10)


def test_zero_density_of_p_contributes_nothing():
    """p = 0 (also where q = 0) contributes 0: triangle p against uniform q."""
    # p(x) = 4x on [0, 1/2], 4(1 - x) on [1/2, 1]; q = 1/2 on [0, 2]; the
    # grid [-1, 3] has p = q = 0 at its ends. The entropy of p is
    # 1/2 - ln 2, so KL = -H(p) - ln(1/2) = 2 ln 2 - 1/2. The x log x shape
    # of the integrand at 0 and 1 makes the error O(h^2 log(1/h)), about
    # 1e-7 at h = 1e-4.
    x = np.linspace(-1.0, 3.0, 40_001)
    p = np.clip(np.minimum(4 * x, 4 * (1 - x)), 0.0, None)
    q = np.where((x >= 0) & (x <= 2), 0.5, 0.0)
    assert_allclose(
        kl_on_grid(p, q, x, mass_tol=None), 2 * math.log(2) - 0.5, rtol=0, atol=1e-6
    )


def test_p_positive_where_q_is_zero_gives_inf():
    """p > 0 at a grid point where q = 0 gives inf, not NaN or a large number."""
    x = np.linspace(-5, 5, 101)
    p = norm.pdf(x)
    q = np.where(x < 1.0, norm.pdf(x), 0.0)
    assert kl_on_grid(p, q, x, mass_tol=None) == math.inf
    assert (
        kl_on_grid(q, p, x, mass_tol=None) < math.inf
    )  # reversed: q = 0 only where p is 0


def test_identical_densities_give_exactly_zero():
    """kl_on_grid(p, p, x, mass_tol=None) is exactly 0.0, including where p = 0."""
    x = np.linspace(-3, 3, 61)
    p = np.where(np.abs(x) < 1, 0.5, 0.0)
    result = kl_on_grid(p, p, x, mass_tol=None)
    assert result == 0.0 and math.copysign(1.0, result) == 1.0


def test_ratio_overflow_is_not_mistaken_for_zero_q():
    """p/q overflowing (p=1e300, q=1e-300) still gives the finite p*(log p - log q)."""
    x = [0.0, 1.0]
    expected = 1e300 * (math.log(1e300) - math.log(1e-300))
    assert_allclose(
        kl_on_grid([1e300, 1e300], [1e-300, 1e-300], x, mass_tol=None), expected
    )


def test_ratio_underflow_is_finite():
    """p/q underflowing to 0 gives p*(log p - log q), not -inf."""
    x = [0.0, 1.0, 2.0]
    p = np.array([1e-300, 1.0, 1e-300])
    q = np.array([1e300, 0.5, 1e300])
    terms = p * (np.log(p) - np.log(q))
    expected = 0.5 * (terms[0] + terms[1]) + 0.5 * (terms[1] + terms[2])
    assert_allclose(kl_on_grid(p, q, x, mass_tol=None), expected, rtol=1e-15)


def test_batch_rows_match_single_calls_and_broadcast():
    """Leading axes are a batch: (2,1,N) against (3,N) gives (2,3) single results."""
    x = np.linspace(-10, 10, 2001)
    p = norm.pdf(x, np.array([0.0, 1.0])[:, None, None], 1.0)
    q = norm.pdf(x, np.array([-1.0, 0.0, 2.0])[:, None], 2.0)
    result = kl_on_grid(p, q, x, mass_tol=None)
    assert result.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert result[i, j] == kl_on_grid(p[i, 0], q[j], x, mass_tol=None)


def test_base_two_is_nats_over_log_two():
    """base=2 gives bits: nats divided by ln 2."""
    x = np.linspace(-10, 10, 2001)
    p, q = norm.pdf(x, 0, 1), norm.pdf(x, 1, 1)
    assert_allclose(
        kl_on_grid(p, q, x, base=2, mass_tol=None), 0.5 / math.log(2), rtol=1e-12
    )


def test_lists_are_accepted_and_result_is_float():
    """Plain lists work and a single pair gives a Python float."""
    result = kl_on_grid([0.5, 0.5], [0.25, 0.25], [0.0, 2.0], mass_tol=None)
    assert type(result) is float
    assert_allclose(result, math.log(2), rtol=1e-15)


densities = st.lists(
    st.floats(0.0, 10.0, allow_subnormal=False), min_size=2, max_size=30
)


@given(densities, st.data())
def test_never_nan_and_inf_exactly_when_q_misses_p(p, data):
    """Property: never NaN; inf exactly when some point has p > 0 and q = 0."""
    q = data.draw(
        st.lists(
            st.floats(0.0, 10.0, allow_subnormal=False),
            min_size=len(p),
            max_size=len(p),
        )
    )
    x = np.cumsum(
        data.draw(st.lists(st.floats(0.01, 5.0), min_size=len(p), max_size=len(p)))
    )
    result = kl_on_grid(p, q, x, mass_tol=None)
    p, q = np.array(p), np.array(q)
    assert not math.isnan(result) and result >= 0.0
    assert (result == math.inf) == bool(((p > 0) & (q == 0)).any())


@given(
    st.lists(st.floats(0.001, 10.0), min_size=2, max_size=30),
    st.integers(-6, 6),
    st.floats(-100, 100),
)
def test_invariant_under_rescaling_the_variable(p, power, shift):
    """Property: x -> c x + b with densities / c leaves the divergence unchanged."""
    p = np.array(p)
    q = p[::-1]
    x = np.arange(p.size, dtype=float)
    c = 2.0**power  # exact in binary, so both sides round identically...
    before = kl_on_grid(p, q, x, mass_tol=None)
    after = kl_on_grid(p / c, q / c, c * x + shift, mass_tol=None)
    # ...except the shift, which rounds the steps to within 1e-13 relative.
    assert_allclose(after, before, rtol=1e-11, atol=1e-300)


@given(st.lists(st.floats(0.0, 10.0), min_size=2, max_size=30))
def test_same_density_is_zero(p):
    """Property: KL of a density from itself is exactly zero."""
    assert kl_on_grid(p, p, np.arange(len(p)), mass_tol=None) == 0.0


# --- errors -----------------------------------------------------------------


def test_lengths_differ_raises():
    """p with a different length from x is a ValueError naming `p`."""
    with pytest.raises(ValueError, match="`p` must hold one density value per grid"):
        kl_on_grid([0.5, 0.5, 0.0], [0.5, 0.5], [0.0, 1.0], mass_tol=None)
    with pytest.raises(ValueError, match="`q` must hold one density value per grid"):
        kl_on_grid([0.5, 0.5], [0.5], [0.0, 1.0], mass_tol=None)
    with pytest.raises(ValueError, match="`p` must hold one density value"):
        kl_on_grid(0.5, [0.5, 0.5], [0.0, 1.0], mass_tol=None)


@pytest.mark.parametrize("x", [[0.0, 0.0, 1.0], [0.0, 2.0, 1.0], [2.0, 1.0, 0.0]])
def test_x_not_strictly_increasing_raises(x):
    """Repeated or decreasing grid points are a ValueError."""
    with pytest.raises(ValueError, match="`x` must be strictly increasing"):
        kl_on_grid([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], x, mass_tol=None)


def test_fewer_than_two_points_raises():
    """A one-point grid cannot be integrated over."""
    with pytest.raises(ValueError, match="`x` must have at least 2 points"):
        kl_on_grid([1.0], [1.0], [0.0], mass_tol=None)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_x_raises(bad):
    """NaN or infinite grid points are a ValueError."""
    with pytest.raises(ValueError, match="`x` contains NaN or infinite"):
        kl_on_grid([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, bad], mass_tol=None)


def test_x_not_one_dimensional_raises():
    """A 2-D grid is a ValueError."""
    with pytest.raises(ValueError, match="`x` must be a one-dimensional grid"):
        kl_on_grid([1.0, 1.0], [1.0, 1.0], [[0.0, 1.0]], mass_tol=None)


@pytest.mark.parametrize("name", ["p", "q"])
def test_negative_density_raises(name):
    """A negative density value is a ValueError naming the argument."""
    args = {"p": [0.5, 0.5], "q": [0.5, 0.5]}
    args[name] = [0.5, -0.1]
    with pytest.raises(ValueError, match=f"`{name}` contains negative"):
        kl_on_grid(args["p"], args["q"], [0.0, 1.0], mass_tol=None)


@pytest.mark.parametrize("name", ["p", "q"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_density_raises(name, bad):
    """NaN or infinite density values are a ValueError naming the argument."""
    args = {"p": [0.5, 0.5], "q": [0.5, 0.5]}
    args[name] = [0.5, bad]
    with pytest.raises(ValueError, match=f"`{name}` contains NaN or infinite"):
        kl_on_grid(args["p"], args["q"], [0.0, 1.0], mass_tol=None)


def test_shapes_that_do_not_broadcast_raise():
    """Batches of 2 and 3 pairs do not broadcast."""
    x = [0.0, 1.0]
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        kl_on_grid(np.ones((2, 2)), np.ones((3, 2)), x, mass_tol=None)


def test_non_numeric_input_raises():
    """Strings are not densities."""
    with pytest.raises(ValueError, match="`p` must be an array of real numbers"):
        kl_on_grid(["a", "b"], [1.0, 1.0], [0.0, 1.0], mass_tol=None)


def test_invalid_base_raises():
    """base=1 has no logarithm."""
    with pytest.raises(ValueError, match="`base` must be None or a number greater"):
        kl_on_grid([1.0, 1.0], [1.0, 1.0], [0.0, 1.0], base=1, mass_tol=None)


def test_scaled_densities_are_refused():
    """kl_on_grid(p, 10 * q, x) and (0.5 * p, q, x) returned 0.0 silently."""
    x = np.linspace(-12, 12, 4001)
    p, q = norm.pdf(x, 0, 1), norm.pdf(x, 0.1, 1)
    with pytest.raises(ValueError, match=r"`q` integrates to 10 on the grid"):
        kl_on_grid(p, 10 * q, x)
    with pytest.raises(ValueError, match=r"`p` integrates to 0.5 on the grid"):
        kl_on_grid(0.5 * p, q, x)
    # closed form 0.1**2 / 2 for the unscaled pair
    assert kl_on_grid(p, q, x) == pytest.approx(0.005, rel=1e-9)


def test_mass_tol_boundary():
    """Mass 1 + 0.9e-3 passes the default tolerance, 1 + 1.1e-3 does not."""
    x = np.linspace(-12, 12, 4001)
    p = norm.pdf(x)
    kl_on_grid(p * (1 + 0.9e-3), p, x)
    with pytest.raises(ValueError, match=r"`mass_tol`=0\.001"):
        kl_on_grid(p * (1 + 1.1e-3), p, x)
    with pytest.raises(ValueError, match=r"`p` integrates to 0\.9989"):
        kl_on_grid(p * (1 - 1.1e-3), p, x)
    kl_on_grid(p * (1 + 1.1e-3), p, x, mass_tol=2e-3)


def test_truncated_grid_is_refused_unless_asked():
    """A grid covering half the mass is an error; mass_tol=None allows it."""
    x = np.linspace(0, 10, 2001)
    p, q = norm.pdf(x, 1, 1), norm.pdf(x, 0, 1)
    with pytest.raises(ValueError, match="grid covers its mass"):
        kl_on_grid(p, q, x)
    # the partial integral over x >= 0, by scipy.integrate.quad
    ref = quad(lambda t: norm.pdf(t, 1) * (norm.logpdf(t, 1) - norm.logpdf(t)), 0, 10)[
        0
    ]
    assert kl_on_grid(p, q, x, mass_tol=None) == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, "1e-3"])
def test_bad_mass_tol(bad):
    x = np.linspace(-12, 12, 101)
    err = TypeError if isinstance(bad, str) else ValueError
    with pytest.raises(err, match="`mass_tol`"):
        kl_on_grid(norm.pdf(x), norm.pdf(x), x, mass_tol=bad)


def test_scalar_density_is_refused_with_its_count():
    """A scalar where a tabulated density is expected: the message counts 1 value."""
    x = np.linspace(-1.0, 1.0, 3)
    with pytest.raises(ValueError, match="it has 1 but `x` has 3 points"):
        kl_on_grid(0.5, np.full(3, 0.5), x)
