"""Tests for the shared plot helpers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kltools import plot_pmfs

plt = pytest.importorskip("matplotlib.pyplot")


def test_plot_pmfs_draws_one_bar_per_outcome_and_series():
    """Bar heights are the values given, grouped by outcome, hatched by series."""
    ax = plot_pmfs([1, 2, 3], {"a": [0.2, 0.3, 0.5], "b": [0.5, 0.25, 0.25]})
    heights = [patch.get_height() for patch in ax.patches]
    assert_allclose(heights, [0.2, 0.3, 0.5, 0.5, 0.25, 0.25])
    hatches = {patch.get_hatch() for patch in ax.patches}
    assert len(hatches) == 2  # series differ by more than colour
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_xlabel() == "outcome" and ax.get_ylabel() == "probability"
    plt.close(ax.figure)


def test_plot_pmfs_uses_given_axes():
    """An existing Axes is drawn on and returned."""
    fig, ax = plt.subplots()
    assert plot_pmfs(["H", "T"], {"c": np.array([0.5, 0.5])}, ax=ax) is ax
    plt.close(fig)


def test_plot_pmfs_errors():
    """Empty mappings and length mismatches are ValueErrors naming the argument."""
    with pytest.raises(ValueError, match="`pmfs` must contain"):
        plot_pmfs([1, 2], {})
    with pytest.raises(ValueError, match=r"`pmfs\['x'\]` has shape \(3,\)"):
        plot_pmfs([1, 2], {"x": [0.1, 0.2, 0.7]})
