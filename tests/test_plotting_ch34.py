"""Tests for the density and heatmap plot helpers used by chapters 3 and 4."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from kltools import plot_densities, plot_heatmaps

plt = pytest.importorskip("matplotlib.pyplot")

plt.switch_backend("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


X = np.linspace(-3.0, 3.0, 61)
Y = np.linspace(0.5, 2.0, 16)


# --- plot_densities -----------------------------------------------------------


def test_plot_densities_draws_one_line_per_density_with_its_data():
    """Each density becomes one line through exactly the given points."""
    dens = {"a": np.exp(-(X**2)), "b": np.exp(-((X - 1) ** 2)), "c": 0 * X}
    ax = plot_densities(X, dens)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["a", "b", "c"]
    for ln, v in zip(lines, dens.values(), strict=True):
        assert_array_equal(ln.get_xdata(), X)
        assert_array_equal(ln.get_ydata(), v)


def test_plot_densities_line_styles_differ_and_cycle():
    """Curves differ by line style (solid, dashed, dotted, dash-dot, repeat)."""
    dens = {str(i): X * 0 + i for i in range(5)}
    ax = plot_densities(X, dens)
    styles = [ln.get_linestyle() for ln in ax.get_lines()]
    assert styles == ["-", "--", ":", "-.", "-"]
    widths = {ln.get_linewidth() for ln in ax.get_lines()}
    assert len(widths) == 1


def test_plot_densities_labels_and_legend():
    """Axis labels are set and the legend lists every density."""
    ax = plot_densities(X, {"p": X * 0, "q": X * 0}, xlabel="x (units)", ylabel="pdf")
    assert ax.get_xlabel() == "x (units)"
    assert ax.get_ylabel() == "pdf"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["p", "q"]


def test_plot_densities_uses_given_axes():
    """When `ax` is given, the curves go there and that axes is returned."""
    _, ax = plt.subplots()
    assert plot_densities(X, {"p": X * 0}, ax=ax) is ax
    assert len(ax.get_lines()) == 1


def test_plot_densities_rejects_2d_grid():
    """A grid that is not one-dimensional is an error naming `x`."""
    with pytest.raises(ValueError, match="`x` must be one-dimensional"):
        plot_densities(np.ones((2, 3)), {"p": np.ones((2, 3))})


def test_plot_densities_rejects_empty_mapping():
    """No densities at all is an error naming `densities`."""
    with pytest.raises(ValueError, match="`densities` must contain"):
        plot_densities(X, {})


def test_plot_densities_rejects_length_mismatch():
    """A density with the wrong number of values is an error naming it."""
    with pytest.raises(ValueError, match=r"`densities\['q'\]` has shape \(3,\)"):
        plot_densities(X, {"p": X * 0, "q": [1.0, 2.0, 3.0]})


# --- plot_heatmaps ------------------------------------------------------------


def _maps():
    a = np.add.outer(Y, X**2)  # values from 0.5 to 11
    return {"a": a, "a/2": a / 2}


def test_plot_heatmaps_shares_one_colour_scale_from_zero_to_max():
    """Every panel is normalised 0..max over all maps (here max(a) = 2 + 9 = 11)."""
    axes = plot_heatmaps(X, Y, _maps())
    clims = [ax.collections[0].get_clim() for ax in axes]
    assert_allclose(clims, [(0.0, 11.0), (0.0, 11.0)], rtol=0, atol=1e-12)


def test_plot_heatmaps_draws_the_given_values():
    """Each panel's mesh holds exactly the map given for it, row i at y[i]."""
    maps = _maps()
    axes = plot_heatmaps(X, Y, maps)
    for ax, arr in zip(axes, maps.values(), strict=True):
        assert_array_equal(
            np.asarray(ax.collections[0].get_array()).ravel(), arr.ravel()
        )
        assert [ax.get_title() for ax in axes] == list(maps)


def test_plot_heatmaps_vmax_clips_and_extends_colour_bar():
    """An explicit `vmax` below the data sets the scale and adds a colour-bar arrow."""
    axes = plot_heatmaps(X, Y, _maps(), vmax=4.0, colorbar_label="KL (nats)")
    assert_allclose(axes[0].collections[0].get_clim(), (0.0, 4.0), atol=1e-12)
    fig = axes[0].figure
    cbar_ax = [ax for ax in fig.axes if ax not in axes]
    assert len(cbar_ax) == 1
    assert cbar_ax[0].get_ylabel() == "KL (nats)"
    assert axes[-1].collections[0].colorbar.extend == "max"


def test_plot_heatmaps_no_arrow_when_nothing_is_clipped():
    """Without clipping the colour bar has no arrow."""
    axes = plot_heatmaps(X, Y, _maps())
    assert axes[-1].collections[0].colorbar.extend == "neither"


def test_plot_heatmaps_contours_at_given_levels():
    """Contour lines are drawn at exactly the requested levels on every panel."""
    axes = plot_heatmaps(X, Y, _maps(), levels=[1.0, 2.0, 4.0])
    for ax in axes:
        contour_sets = [c for c in ax.collections if hasattr(c, "levels")]
        assert len(contour_sets) == 1
        assert_array_equal(contour_sets[0].levels, [1.0, 2.0, 4.0])


def test_plot_heatmaps_all_zero_maps_draw():
    """Maps that are zero everywhere still get a usable colour scale (0..1)."""
    axes = plot_heatmaps(X, Y, {"zero": np.zeros((Y.size, X.size))})
    assert_allclose(axes[0].collections[0].get_clim(), (0.0, 1.0), atol=0)


def test_plot_heatmaps_uses_given_axes():
    """Given axes are drawn on and returned in order."""
    _, axs = plt.subplots(1, 2)
    out = plot_heatmaps(X, Y, _maps(), axes=axs)
    assert out[0] is axs[0] and out[1] is axs[1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.ones((2, 2))}, "`x` must be one-dimensional"),
        ({"y": [1.0]}, "`y` must be one-dimensional with at least two"),
        ({"maps": {}}, "`maps` must contain"),
        ({"maps": {"m": np.ones((3, 3))}}, r"`maps\['m'\]` has shape \(3, 3\)"),
        ({"maps": {"m": np.full((16, 61), np.nan)}}, r"`maps\['m'\]` contains NaN"),
        ({"maps": {"m": np.full((16, 61), np.inf)}}, "NaN or infinite"),
        ({"maps": {"m": np.full((16, 61), -1.0)}}, "contains negative"),
        ({"vmax": 0.0}, "`vmax` must be a positive"),
        ({"vmax": np.nan}, "`vmax` must be a positive"),
        ({"levels": [2.0, 1.0]}, "`levels` must be a non-empty increasing"),
        ({"levels": []}, "`levels` must be a non-empty increasing"),
        ({"axes": [None]}, "`axes` holds 1 axes, but `maps` has 2"),
    ],
)
def test_plot_heatmaps_rejects_bad_input(kwargs, match):
    """Each invalid argument is a ValueError naming it."""
    args = {"x": X, "y": Y, "maps": _maps(), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_heatmaps(args.pop("x"), args.pop("y"), args.pop("maps"), **args)
