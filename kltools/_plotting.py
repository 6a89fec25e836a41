"""Plot helpers shared by the chapters (needs the ``plot`` extra).

matplotlib is imported inside each function, so ``import kltools`` stays
fast and works without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["plot_pmfs"]

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
    labels = list(support)
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
