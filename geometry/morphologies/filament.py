"""A penetrating metal filament: the smallest geometry of a dendrite grown into the electrolyte.

Plating through a solid electrolyte can grow metal into it (a filament along a grain boundary
or a crack) that stays connected to the electrode. The filament is a cylinder of the electrode
metal of radius r standing from the electrode plane at the electrode's centre to depth d into
the electrolyte: its wall and end face are electrode surfaces, its volume is no longer
electrolyte. On a mirror-walled patch that is one filament per patch (a square array of pitch
``side``). Where the plane around it is a gap, the filament also bridges the gap (metal fills
the gap column above its base), as a nucleus does.
"""

from __future__ import annotations

from typing import Any

from eisfem.geometry.plan import UM, Filament, InterfacePlan

EDGE_PER_RADIUS = 6  # element size at the filament's rim and tip circles: radius / 6


def add_filament(plan: InterfacePlan, spec: Any, thickness: float) -> InterfacePlan:
    """``plan`` with the filament ``spec`` (radius, depth in m) under its electrode's centre.

    ``thickness`` is the electrolyte thickness (m): the filament must end inside it. Raises
    ValueError naming the field when it does not fit.
    """
    e = plan.electrode
    r, d = spec.radius / UM, spec.depth / UM
    if r >= 0.9 * e.half:
        raise ValueError(
            f"interface.filament.radius must be < 0.9 × the electrode's half width "
            f"({0.9 * e.half * UM:.4g} m; got {spec.radius:g} m)"
        )
    if d >= 0.9 * thickness / UM:
        raise ValueError(
            f"interface.filament.depth must be < 0.9 × cell.thickness ({0.9 * thickness:.4g} m; "
            f"got {spec.depth:g} m)"
        )
    plan.filament = Filament(e.cx, e.cy, r, d, r / EDGE_PER_RADIUS)
    plan.counts["filaments"] = 1
    return plan
