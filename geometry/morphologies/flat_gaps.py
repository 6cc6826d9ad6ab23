"""Flat gaps of one height on a contact background, with optional Na nuclei in them.

The common end of the collector and image morphologies: gap polygons (stripes, patches,
mask pixels) of the configured height, resolved or thin, and the nuclei.

A nucleus is a Na cap grown from the electrolyte up to the collector; with a gap height far
below its radius it fills the gap column above its base, so it becomes a contact disk painted
over the gap (merging with the contact it grew from where it reaches it). Centres are seeded
random points inside the gaps; nuclei keep a tenth of their radius apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from eisfem.geometry.placement import Electrode, PlacementError, place_random
from eisfem.geometry.plan import UM, InterfacePlan, Layer, constant_height
from eisfem.geometry.roughness import covered_fraction

NUCLEI_STREAM = 1  # the nuclei draw from their own stream of the seed
EDGE_PER_RADIUS = 8  # element size at a nucleus rim: radius / 8


def add_nuclei(plan: InterfacePlan, gaps: list[shapely.Polygon], p: Any) -> None:
    """Paint the nuclei requested by ``p`` (a NucleiOption) over the gap polygons."""
    if p.nuclei_radius is None:
        return
    electrode: Electrode = plan.electrode
    r = p.nuclei_radius / UM
    n = round(p.nuclei_density * electrode.area * UM**2)
    plan.counts["nuclei"] = n
    if n == 0:
        return
    if not gaps:
        raise ValueError("interface.nuclei_density: there are no gaps to grow nuclei in")
    region = shapely.union_all(gaps)
    shapely.prepare(region)
    rng = np.random.default_rng([p.seed, NUCLEI_STREAM])
    try:
        xy, radii = place_random(
            rng, electrode, np.full(n, r), 0.1 * r, lambda x, y: shapely.contains_xy(region, x, y)
        )
    except PlacementError as exc:
        raise ValueError(
            f"interface.nuclei_density: only {exc.placed} of {exc.requested} nuclei of radius "
            f"{p.nuclei_radius:g} m fit in the gaps; lower interface.nuclei_density or "
            "interface.nuclei_radius"
        ) from None
    disks = np.column_stack([xy, radii])
    plan.layers.append(Layer("contact", disks=disks, edge_size=r / EDGE_PER_RADIUS))


def flat_gap_plan(
    electrode: Electrode, gaps: list[shapely.Polygon], p: Any, interface: float, edge: float
) -> InterfacePlan:
    """The plan of gap polygons of height ``p.height`` (and ``p``'s nuclei) on contact."""
    h = p.height / UM
    plan = InterfacePlan(
        electrode,
        "contact",
        layers=[Layer("gap", polygons=gaps, heights=np.full(len(gaps), h))],
        thin=p.gap_model == "thin",
        height_map=constant_height(h),
        interface_size=interface,
        edge_size=edge,
    )
    plan.counts["gap_regions"] = len(gaps)
    plan.report["gap_fraction_planned"] = covered_fraction(gaps, electrode)
    add_nuclei(plan, gaps, p)
    return plan
