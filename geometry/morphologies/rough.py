"""A rough electrolyte surface pressed against flat metal: contact pillars, valley gaps.

The electrolyte surface is kept flat in the mesh (Ra ≈ 0.2 µm is far below the lateral
scales) and the roughness enters through what touches: the contact islands are the parts of
the height field above the metal plane, the valleys are gaps whose local height is
plane − H(x, y). The thin-gap model uses exactly that height map (floored at `min_gap`, since
it goes to zero at the island rims); the resolved model makes each valley a flat void of its
mean depth (the same gap volume), which keeps the structured extrusion that meshes 100 nm
gaps cheaply. Either way the contact pattern and its edges are the exact level-set polygons.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from eisfem.geometry.placement import Electrode
from eisfem.geometry.plan import UM, InterfacePlan, Layer
from eisfem.geometry.roughness import (
    DEFAULT_STEPS_PER_LENGTH,
    covered_fraction,
    electrode_shape,
    gaussian_field,
    level_for_fraction,
    mean_depth,
    on_electrode,
    scale_to_ra,
    sublevel_polygons,
)


def contact_islands(gaps: list[shapely.Polygon], electrode: Electrode) -> int:
    """Number of connected contact regions left between the gap polygons."""
    rest = electrode_shape(electrode)
    if gaps:
        rest = rest.difference(shapely.union_all(gaps))
    return len(getattr(rest, "geoms", [rest])) if not rest.is_empty else 0


def plan_rough(electrode: Electrode, p: Any) -> InterfacePlan:
    ell = p.correlation_length / UM
    step = p.grid_step / UM if p.grid_step is not None else ell / DEFAULT_STEPS_PER_LENGTH
    try:
        unit = gaussian_field(p.seed, electrode, ell, step)
    except ValueError as exc:
        raise ValueError(
            f"interface.correlation_length: the electrode is {electrode.width / ell:.0f} "
            f"correlation lengths wide and the height field {exc}; use a patch cell or a "
            "larger interface.grid_step"
        ) from None
    grid = scale_to_ra(unit, electrode, p.ra / UM)
    inside = grid.z[grid.inside(electrode)]
    top, bottom = float(inside.max()), float(inside.min())
    if p.indentation is not None:
        depth = p.indentation / UM
        if not depth < top - bottom:
            raise ValueError(
                "interface.indentation must be < the peak-to-valley height of the surface "
                f"{(top - bottom) * UM:g} m (got {p.indentation:g} m: the metal touches everywhere)"
            )
        level = top - depth
    else:
        level = level_for_fraction(grid, electrode, 1 - p.contact_fraction)
    gaps = on_electrode(sublevel_polygons(grid, level), electrode)
    depths = np.array([mean_depth(grid, g, level) for g in gaps])
    height = grid.interpolate()
    floor = p.min_gap / UM

    def height_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.maximum(level - height(x, y), floor).reshape(np.shape(x))

    plan = InterfacePlan(
        electrode,
        "contact",
        layers=[Layer("gap", polygons=gaps, heights=depths)] if gaps else [],
        thin=p.gap_model == "thin",
        height_map=height_map,
        interface_size=ell / 4,
        edge_size=grid.step / 2,
    )
    plan.counts = {"contact_islands": contact_islands(gaps, electrode), "gap_regions": len(gaps)}
    plan.report = {
        "ra_m": float(np.abs(inside - inside.mean()).mean()) * UM,
        "rq_m": float(inside.std()) * UM,
        "peak_to_valley_m": (top - bottom) * UM,
        "indentation_m": (top - level) * UM,
        "grid_step_m": grid.step * UM,
        "contact_fraction_planned": 1 - covered_fraction(gaps, electrode),
        "mean_gap_height_m": float(np.mean(np.maximum(level - inside[inside < level], 0))) * UM
        if np.any(inside < level)
        else 0.0,
    }
    return plan
