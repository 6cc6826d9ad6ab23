"""One planner per interface kind: each turns its interface section into an InterfacePlan.

The sections are read by attribute (``interface.kind``, ``interface.radius``, ...), so any
object with the fields of the documented interface kinds works; the config schema's sections
are such objects, and the geometry layer never imports the schema.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from eisfem.geometry.morphologies import collector, disks, image, rough
from eisfem.geometry.morphologies.filament import add_filament
from eisfem.geometry.placement import Electrode
from eisfem.geometry.plan import UM, InterfacePlan

PLANNERS = {
    "full": disks.plan_full,
    "disk": disks.plan_disk,
    "pores": disks.plan_pores,
    "spots": disks.plan_spots,
    "rough": rough.plan_rough,
    "collector": collector.plan_collector,
    "image": image.plan_image,
}
_CACHE: dict[str, InterfacePlan] = {}


def plan_morphology(electrode: Electrode, interface: Any) -> InterfacePlan:
    """Dispatch on ``interface.kind``."""
    return PLANNERS[interface.kind](electrode, interface)


def electrode_of(cell: Any) -> Electrode:
    """The electrode footprint of a cell section (lengths in metres), in µm."""
    if cell.shape == "patch":
        return Electrode("square", 0.0, 0.0, cell.side / 2 / UM, covers_cell=True)
    radius = cell.electrode_radius if cell.electrode_radius is not None else cell.radius
    covers = cell.electrode_offset == 0 and math.isclose(radius, cell.radius, rel_tol=1e-12)
    return Electrode("disk", cell.electrode_offset / UM, 0.0, radius / UM, covers_cell=covers)


def plan_interface(cell: Any, interface: Any) -> InterfacePlan:
    """The plan of ``interface`` on ``cell``, cached on their field values.

    Raises ValueError naming the config field when the request cannot be met.
    """
    key = repr(cell) + repr(interface)
    if hasattr(interface, "path"):  # a mask edited in place is a new plan
        key += str(Path(interface.path).stat().st_mtime_ns)
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.pop(next(iter(_CACHE)))
        plan = plan_morphology(electrode_of(cell), interface)
        if getattr(interface, "filament", None) is not None:
            plan = add_filament(plan, interface.filament, cell.thickness)
        _CACHE[key] = plan
    return _CACHE[key]
