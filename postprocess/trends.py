"""Trend plots of a sweep: result columns against a swept (or any numeric) column.

One panel per y column, one line per value of a grouping column (by default the one other
swept field that x does not determine). Several cases at one point (seeds of a random
geometry) are drawn as points with the line through their mean. An axis is logarithmic when
its values are positive and span at least a decade, linear otherwise. Only complete cases are
plotted.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib.figure import Figure

from eisfem.core.errors import ConfigError

LOG_SPAN = 5.0  # max/min ratio from which an axis of positive values is drawn logarithmic


def numeric_column(table: pa.Table, name: str) -> np.ndarray:
    """A column as floats (missing values NaN); ConfigError if absent or not numeric."""
    column = _require(table, name)
    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)):
        raise ConfigError(f"column {name!r} is not numeric ({kind})")
    return np.array([np.nan if v is None else float(v) for v in column.to_pylist()])


def is_log_scale(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return finite.size > 1 and bool(np.all(finite > 0)) and finite.max() >= LOG_SPAN * finite.min()


def determined_by(x: list[Any], other: list[Any]) -> bool:
    """True if each value of x comes with a single value of ``other`` (other = f(x))."""
    seen: dict[Any, Any] = {}
    return all(seen.setdefault(a, b) == b for a, b in zip(x, other, strict=True))


def default_group(table: pa.Table, x: str, fields: Sequence[str]) -> str | None:
    """The one swept field, other than x, that x does not determine; else no grouping."""
    xs = _column(table, x)
    candidates = []
    for field in fields:
        if field == x or field not in table.column_names:
            continue
        values = _column(table, field)
        if len(set(values)) > 1 and not determined_by(xs, values):
            candidates.append(field)
    return candidates[0] if len(candidates) == 1 else None


def _column(table: pa.Table, name: str) -> list[Any]:
    """A column as hashable Python values (numbers, text; anything else as its text)."""
    return [
        v if isinstance(v, int | float | str) or v is None else str(v)
        for v in _require(table, name).to_pylist()
    ]


def _require(table: pa.Table, name: str) -> pa.ChunkedArray:
    """The column ``name``; ConfigError naming the closest column names if there is none."""
    if name not in table.column_names:
        close = difflib.get_close_matches(name, table.column_names, n=4, cutoff=0.5)
        hint = f"; close: {', '.join(close)}" if close else "; see the header of results.csv"
        raise ConfigError(f"no column {name!r} in the sweep's table{hint}")
    return table.column(name)


def _ordered(values: list[Any]) -> list[Any]:
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)
    except TypeError:  # mixed kinds (None among numbers): keep the order of first appearance
        return unique


def trend_plot(
    table: pa.Table,
    x: str,
    ys: Sequence[str],
    path: Path,
    group: str | None = None,
    group_labels: dict[float, str] | None = None,
    title: str = "",
) -> Path:
    """Draw ``ys`` against ``x`` (one panel each), one line per value of ``group``."""
    done = table.filter(pc.equal(table.column("status"), "complete"))
    if done.num_rows == 0:
        raise ConfigError("no complete case to plot yet")
    xs = numeric_column(done, x)
    groups = _column(done, group) if group else [None] * done.num_rows
    fig = Figure(figsize=(6.4, 2.2 + 2.4 * len(ys)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(ys), 1, sharex=True))
    for ax, y in zip(axes, ys, strict=True):
        values = numeric_column(done, y)
        for g in _ordered(groups):
            pick = np.array([v == g for v in groups]) & np.isfinite(xs) & np.isfinite(values)
            if not pick.any():
                continue
            label = _label(g, group_labels or {}) if group else None
            points = ax.plot(xs[pick], values[pick], "o", ms=4, alpha=0.6)[0]
            px = np.unique(xs[pick])
            mean = [values[pick][xs[pick] == v].mean() for v in px]
            ax.plot(px, mean, "-", color=points.get_color(), label=label)
        ax.set_ylabel(y)
        if is_log_scale(values):
            ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
    if is_log_scale(xs):
        axes[-1].set_xscale("log")
    axes[-1].set_xlabel(x)
    if group:
        axes[0].legend(title=group, fontsize="small")
    if title:
        axes[0].set_title(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def _label(value: Any, labels: dict[Any, str]) -> str:
    if value in labels:
        return labels[value]
    return f"{value:.4g}" if isinstance(value, float) else str(value)
