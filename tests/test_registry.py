"""Dispatch, declining and error rules of kltools._registry."""

import numpy as np
import pytest
from scipy import stats as S

from kltools import _registry, distribution_parameters, kl_between, register_kl


@pytest.fixture
def registry():
    saved = dict(_registry._REGISTRY)
    yield _registry._REGISTRY
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


class A(type(S.norm)):
    pass


class B(A):
    pass


class C(B):
    pass


c = C(name="c")  # MRO: C (0), B (1), A (2), norm_gen (3), ...


def f_ba(p, q):
    return 1.0


def f_ac(p, q):
    return 2.0


def f_cb(p, q):
    return 3.0


def test_dispatch_rank_is_sum_of_mro_distances(registry):
    """(A, C) at rank 2 + 0 beats (B, A) at 1 + 2; a rank i - j would pick (B, A)."""
    register_kl(B, A)(f_ba)
    register_kl(A, C)(f_ac)
    assert kl_between(c(), c(1)) == 2.0


def test_dispatch_tie_breaks_towards_p_and_warns(registry):
    """(C, A) and (A, C) tie at rank 2: the one nearer in p's MRO wins, with a warning."""
    register_kl(A, C)(f_ac)
    register_kl(C, A)(f_cb)
    with pytest.warns(UserWarning, match="ambiguous KL dispatch") as record:
        assert kl_between(c(), c(1)) == 3.0
    # the warning points at the caller's line, not into kltools
    assert record[0].filename == __file__


def test_registered_nan_is_an_error(registry):
    """A closed form returning NaN is a bug, not a decline."""
    register_kl(C, C)(lambda p, q: np.nan)
    with pytest.raises(RuntimeError, match="returned NaN"):
        kl_between(c(), c(1))


def test_registered_negative_is_an_error(registry):
    """A closed form returning -1 raises instead of being clamped to 0."""
    register_kl(C, C)(lambda p, q: -1.0)
    with pytest.raises(RuntimeError, match="never negative"):
        kl_between(c(), c(1))


def test_registered_wrong_shape_is_an_error(registry):
    """A closed form returning the wrong shape names the shapes."""
    register_kl(C, C)(lambda p, q: np.zeros(3))
    with pytest.raises(
        RuntimeError, match=r"returned \(3,\) values for parameters of shape \(2,\)"
    ):
        kl_between(c([0, 1]), c(1))


def test_registered_tiny_negative_is_rounding(registry):
    """Values in [-1e-10, 0) are rounding of 0."""
    register_kl(C, C)(lambda p, q: -1e-12)
    assert kl_between(c(), c(1)) == 0.0


def test_override_must_be_bool():
    with pytest.raises(TypeError, match="`override` must be True or False"):
        register_kl(S.norm, S.norm, override="yes")


def test_distribution_parameters_names():
    """Public names, defaults filled in, for each kind of distribution."""
    d = distribution_parameters(S.beta(2, 3, scale=4))
    assert {k: float(v) for k, v in d.items()} == {"a": 2, "b": 3, "loc": 0, "scale": 4}
    n = distribution_parameters(2 * S.Normal(mu=1.0, sigma=3.0) + 5)
    assert {k: float(v) for k, v in n.items()} == {
        "mu": 1,
        "sigma": 3,
        "loc": 5,
        "scale": 2,
    }
    with pytest.raises(TypeError, match="`d` must be"):
        distribution_parameters([1, 2])
