"""Plot helpers shared by the chapters (needs the ``plot`` extra).

matplotlib is imported inside each function, so ``import kltools`` stays
fast and works without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["plot_densities", "plot_heatmaps", "plot_pmfs"]

#: Hatches used after colour, so bars stay distinguishable in greyscale.
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plotting needs matplotlib: pip install 'kltools[plot]'"
        ) from None
    return plt


def plot_pmfs(
    support: Sequence[Any] | ArrayLike,
    pmfs: Mapping[str, ArrayLike],
    *,
    ax: Any = None,
    ylabel: str = "probability",
    xlabel: str = "outcome",
) -> Any:
    """Draw several pmfs over one support as grouped bars.

    Parameters
    ----------
    support : sequence
        The outcomes, used as tick labels (numbers or strings).
    pmfs : mapping of str to array_like
        Legend label to values (probabilities or counts), one value per
        outcome of `support`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    ylabel, xlabel : str, optional
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If `pmfs` is empty or a pmf's length differs from that of `support`.

    See Also
    --------
    plot_densities, plot_heatmaps

    Notes
    -----
    Bars of different series differ by hatch as well as colour, so the
    figure reads in print and for colour-blind readers.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from kltools import plot_pmfs
    >>> ax = plot_pmfs(["H", "T"], {"fair": [0.5, 0.5], "weighted": [0.25, 0.75]})
    >>> len(ax.patches)  # two series of two bars
    4
    """
    labels = list(support)  # type: ignore[arg-type]
    if not pmfs:
        raise ValueError("`pmfs` must contain at least one distribution")
    values = {}
    for name, v in pmfs.items():
        arr = np.asarray(v, dtype=float)
        if arr.shape != (len(labels),):
            raise ValueError(
                f"`pmfs[{name!r}]` has shape {arr.shape}, but `support` has "
                f"{len(labels)} outcomes"
            )
        values[name] = arr
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    x = np.arange(len(labels))
    width = 0.8 / len(values)
    for i, (name, arr) in enumerate(values.items()):
        offset = (i - (len(values) - 1) / 2) * width
        ax.bar(
            x + offset,
            arr,
            width,
            label=name,
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="black",
            linewidth=0.8,
        )
    ax.set_xticks(x, [str(s) for s in labels])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


#: Line styles used after colour, so curves stay distinguishable in greyscale.
LINESTYLES = ("-", "--", ":", "-.")
#: One line width for every curve drawn by these helpers.
LINEWIDTH = 1.8


def plot_densities(
    x: ArrayLike,
    densities: Mapping[str, ArrayLike],
    *,
    ax: Any = None,
    xlabel: str = "$x$",
    ylabel: str = "density",
) -> Any:
    """Draw several densities evaluated on one grid as labelled curves.

    Parameters
    ----------
    x : array_like, one-dimensional
        The grid, increasing.
    densities : mapping of str to array_like
        Legend label to density values, one value per point of `x`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    xlabel, ylabel : str, optional
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If `x` is not one-dimensional, if `densities` is empty, or if a
        density does not have one value per point of `x`.

    See Also
    --------
    plot_pmfs : the same for distributions over a few outcomes.

    Notes
    -----
    Curves differ by line style as well as colour (solid, dashed, dotted,
    dash-dotted, then repeating), so the figure reads in print.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from scipy.stats import norm
    >>> from kltools import plot_densities
    >>> x = np.linspace(-6, 6, 201)
    >>> ax = plot_densities(x, {"N(0, 1)": norm.pdf(x), "N(1, 2²)": norm.pdf(x, 1, 2)})
    >>> [line.get_linestyle() for line in ax.get_lines()]  # solid, then dashed
    ['-', '--']
    """
    grid = np.asarray(x, dtype=float)
    if grid.ndim != 1:
        raise ValueError(f"`x` must be one-dimensional, got shape {grid.shape}")
    if not densities:
        raise ValueError("`densities` must contain at least one density")
    values = {}
    for name, v in densities.items():
        arr = np.asarray(v, dtype=float)
        if arr.shape != grid.shape:
            raise ValueError(
                f"`densities[{name!r}]` has shape {arr.shape}, but `x` has "
                f"shape {grid.shape}"
            )
        values[name] = arr
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for i, (name, arr) in enumerate(values.items()):
        ax.plot(
            grid,
            arr,
            label=name,
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            linewidth=LINEWIDTH,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax


def plot_heatmaps(
    x: ArrayLike,
    y: ArrayLike,
    maps: Mapping[str, ArrayLike],
    *,
    levels: ArrayLike | None = None,
    vmax: float | None = None,
    axes: Sequence[Any] | None = None,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
    colorbar_label: str = "value",
) -> Any:
    """Draw several maps over one (x, y) grid side by side on one colour scale.

    Parameters
    ----------
    x : array_like, one-dimensional
        Horizontal coordinates, increasing, of length ``nx``.
    y : array_like, one-dimensional
        Vertical coordinates, increasing, of length ``ny``.
    maps : mapping of str to array_like
        Panel title to values of shape ``(ny, nx)`` (row ``i`` is ``y[i]``),
        all finite and non-negative, such as KL divergences.
    levels : array_like, optional
        Increasing values at which to draw labelled contour lines on every
        panel; none if omitted.
    vmax : float, optional
        Top of the shared colour scale, which starts at 0. Larger values
        get the top colour and the colour bar shows an arrow. Default: the
        largest value over all maps.
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per map; a new figure with one row of panels is made if
        omitted.
    xlabel, ylabel, colorbar_label : str, optional
        Axis labels, and the label of the shared colour bar.

    Returns
    -------
    list of matplotlib.axes.Axes
        The axes drawn on, in the order of `maps`.

    Raises
    ------
    ValueError
        If `x` or `y` is not one-dimensional with at least two points, if
        `maps` is empty, if a map's shape is not ``(len(y), len(x))``, if a
        map holds a negative or non-finite value, if `vmax` is not positive,
        if `levels` is not increasing, or if `axes` does not hold one axes
        per map.

    See Also
    --------
    plot_pmfs, plot_densities

    Notes
    -----
    Every panel uses the same normalisation (0 to `vmax`), so equal colours
    mean equal values across panels; one colour bar serves them all. The
    contour lines are black and labelled with their values, so the levels
    can be read without colour.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from kltools import plot_heatmaps
    >>> x, y = np.linspace(-1, 1, 21), np.linspace(0, 1, 11)
    >>> a = np.add.outer(y, x**2)  # shape (len(y), len(x))
    >>> axes = plot_heatmaps(x, y, {"a": a, "2a": 2 * a}, levels=[0.5, 1])
    >>> [ax.collections[0].get_clim() for ax in axes]  # one shared scale
    [(0.0, 4.0), (0.0, 4.0)]
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    for name, arr in (("x", xs), ("y", ys)):
        if arr.ndim != 1 or arr.size < 2:
            raise ValueError(
                f"`{name}` must be one-dimensional with at least two points, "
                f"got shape {arr.shape}"
            )
    if not maps:
        raise ValueError("`maps` must contain at least one map")
    values = {}
    for name, v in maps.items():
        arr = np.asarray(v, dtype=float)
        if arr.shape != (ys.size, xs.size):
            raise ValueError(
                f"`maps[{name!r}]` has shape {arr.shape}, expected "
                f"(len(y), len(x)) = {(ys.size, xs.size)}"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"`maps[{name!r}]` contains NaN or infinite values")
        if (arr < 0).any():
            raise ValueError(f"`maps[{name!r}]` contains negative values")
        values[name] = arr
    top = max(float(arr.max()) for arr in values.values())
    if vmax is None:
        vmax = top
    elif not (np.isfinite(vmax) and vmax > 0):
        raise ValueError(f"`vmax` must be a positive finite number, got {vmax!r}")
    if top == 0.0:
        vmax = 1.0  # all-zero maps still need a non-empty colour scale
    if levels is not None:
        levels = np.asarray(levels, dtype=float)
        if levels.ndim != 1 or levels.size == 0 or (np.diff(levels) <= 0).any():
            raise ValueError("`levels` must be a non-empty increasing sequence")
    plt = _pyplot()
    if axes is None:
        fig, axes = plt.subplots(
            1,
            len(values),
            figsize=(4.2 * len(values) + 1.0, 3.8),
            sharex=True,
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        axes = list(axes[0])
    else:
        axes = list(axes)
        if len(axes) != len(values):
            raise ValueError(
                f"`axes` holds {len(axes)} axes, but `maps` has {len(values)} maps"
            )
        fig = axes[0].figure
    from matplotlib.colors import Normalize

    norm = Normalize(vmin=0.0, vmax=vmax)
    mesh = None
    for ax, (name, arr) in zip(axes, values.items(), strict=True):
        mesh = ax.pcolormesh(xs, ys, arr, norm=norm, shading="nearest")
        if levels is not None:
            lines = ax.contour(
                xs, ys, arr, levels=levels, colors="black", linewidths=0.8
            )
            ax.clabel(lines, fontsize=8)
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    fig.colorbar(
        mesh, ax=axes, label=colorbar_label, extend="max" if top > vmax else "neither"
    )
    return axes
