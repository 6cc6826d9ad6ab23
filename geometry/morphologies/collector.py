"""Current-collector gaps of an anode-free cell: a flat collector touching the electrolyte
except in gap stripes or random gap patches (optionally with Na nuclei in the gaps)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from eisfem.geometry.morphologies.flat_gaps import flat_gap_plan
from eisfem.geometry.placement import Electrode
from eisfem.geometry.plan import UM, InterfacePlan
from eisfem.geometry.roughness import (
    DEFAULT_STEPS_PER_LENGTH,
    gaussian_field,
    level_for_fraction,
    on_electrode,
    sublevel_polygons,
)


def stripe_polygons(electrode: Electrode, width: float, period: float) -> list[shapely.Polygon]:
    """Gap stripes parallel to y.

    On a square patch the stripes sit in the middle of each period (the mirror walls then
    continue the pattern); on a disk one stripe is centred on the electrode and the stripes
    span its full height (the builder clips them to the disk).
    """
    x0, y0, _, y1 = electrode.bounds()
    if electrode.shape == "square":
        n = electrode.width / period
        if abs(n - round(n)) > 1e-6 * n or round(n) < 1:
            raise ValueError(
                "cell.side must be a whole multiple of interface.stripe_period "
                f"(got side/period = {n:.4g})"
            )
        centres = x0 + (np.arange(round(n)) + 0.5) * period
    else:
        k = math.floor((electrode.half + width / 2) / period)
        centres = electrode.cx + np.arange(-k, k + 1) * period
        centres = centres[np.abs(centres - electrode.cx) < electrode.half - width / 2]
        if centres.size == 0:
            raise ValueError("interface.stripe_width: no gap stripe fits on the electrode")
    return [shapely.box(c - width / 2, y0, c + width / 2, y1) for c in centres]


def plan_collector(electrode: Electrode, p: Any) -> InterfacePlan:
    if p.pattern == "stripes":
        w, period = p.stripe_width / UM, p.stripe_period / UM
        gaps = stripe_polygons(electrode, w, period)
        interface = min(w, period - w) / 3
        edge = interface / 4
    else:
        ell = p.correlation_length / UM
        try:
            grid = gaussian_field(p.seed, electrode, ell, ell / DEFAULT_STEPS_PER_LENGTH)
        except ValueError as exc:
            raise ValueError(
                f"interface.correlation_length: the patch field {exc}; use a patch cell or a "
                "longer correlation length"
            ) from None
        level = level_for_fraction(grid, electrode, p.gap_fraction)
        gaps = on_electrode(sublevel_polygons(grid, level), electrode)
        interface, edge = ell / 4, grid.step / 2
    return flat_gap_plan(electrode, gaps, p, interface, edge)
