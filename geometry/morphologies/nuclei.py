"""Na nuclei in the gaps of an anode-free cell: metal pillars cut out of the gap regions.

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
from eisfem.geometry.plan import UM, InterfacePlan, Layer

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
