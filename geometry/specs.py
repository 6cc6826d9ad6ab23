"""Plain typed inputs of the geometry layer: what to build and how finely to mesh it.

The application layer translates a run config into these records; the geometry code never sees
the config schema, so it can be driven from a script, a test or another front end alike.
Lengths are in metres, as everywhere outside the gmsh model (which works in µm).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eisfem.geometry.plan import InterfacePlan


@dataclass(frozen=True)
class CellSpec:
    """The electrolyte block: a square patch or a cylindrical pellet, one or two electrodes."""

    shape: Literal["patch", "cylinder"]
    width: float  # patch side or pellet diameter (m)
    thickness: float  # electrolyte thickness between the electrode planes (m)
    layout: Literal["half", "symmetric"] = "half"
    interphase_thickness: float | None = None  # meshed interphase layer at each electrode (m)

    @property
    def radius(self) -> float:
        """Pellet radius (m); half the side of a patch."""
        return self.width / 2


@dataclass(frozen=True)
class MeshOptions:
    """Element sizes asked for (m; None: derived from the planned features) and the refinement.

    ``refine`` divides every size, the per-feature rim sizes of the plan included; all of this
    is applied in one place, :func:`eisfem.geometry.sizing.resolve_sizes`.
    """

    size_bulk: float | None = None
    size_interface: float | None = None
    size_edge: float | None = None
    refine: float = 1.0
    max_gap_aspect: float = 15.0
    gap_layers: int = 1
    geometry_order: int = 2  # 2: nodes of curved walls, rims and caps on the CAD surfaces


@dataclass(frozen=True)
class GeometrySpec:
    """Everything the mesher needs: a name, the cell, the planned interface and mesh options."""

    name: str
    cell: CellSpec
    plan: InterfacePlan
    mesh: MeshOptions
