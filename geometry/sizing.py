"""Mesh-size fields: fine at contact edges, graded along the interface, coarse in the bulk.

The current density is singular (≈ r^-1/2) at the rim of every contact, so elements shrink
geometrically towards those curves; pores and gaps get elements no wider than
``max_gap_aspect`` times their height so flat voids stay meshable. Sizes not given in the
config are derived from the geometry and echoed in the summary, so a user can see and override
what was chosen.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import gmsh

from eisfem.config import DiskContact, PatchCell, PoreArray, RunConfig
from eisfem.geometry import tags
from eisfem.geometry.builder import UM, BuiltModel

GRADING = 0.3  # growth of element size per unit distance from a refined entity


@dataclass
class MeshSizes:
    """Resolved target sizes in micrometres."""

    bulk: float
    interface: float
    edge: float
    gap: float | None  # inside pores (None: no pores)

    def as_metres(self) -> dict[str, float | None]:
        return {k: (v * UM if v is not None else None) for k, v in asdict(self).items()}


def resolve_sizes(cfg: RunConfig) -> MeshSizes:
    """Fill unset sizes from the geometry and apply ``mesh.refine``."""
    m = cfg.mesh
    thickness = cfg.cell.thickness / UM
    width = cfg.cell.side / UM if isinstance(cfg.cell, PatchCell) else 2 * cfg.cell.radius / UM
    bulk = m.size_bulk / UM if m.size_bulk else min(thickness, width) / 6
    iface = cfg.interface
    gap = None
    if isinstance(iface, PoreArray):
        r, s = iface.radius / UM, iface.spacing / UM
        interface = min(s / 8, r / 3)
        edge = min(interface / 4, (s - 2 * r) / 4)
        if iface.shape == "lens":  # cylinder pores are extruded: their layers set the height
            gap = m.max_gap_aspect * iface.height / UM
    elif isinstance(iface, DiskContact):
        interface = bulk  # the edge ramp alone resolves a single contact
        edge = iface.radius / UM / 20
    else:
        interface = bulk
        edge = bulk
    if m.size_interface:
        interface = m.size_interface / UM
    if m.size_edge:
        edge = m.size_edge / UM
    if cfg.interphase is not None:
        interface = min(interface, 2 * cfg.interphase.thickness / UM)
    interface = min(interface, bulk)
    edge = min(edge, interface)
    k = m.refine
    return MeshSizes(bulk / k, interface / k, edge / k, None if gap is None else gap / k)


def apply_size_fields(built: BuiltModel, sizes: MeshSizes) -> None:
    """Install the background size field on the current gmsh model."""
    f = gmsh.model.mesh.field
    fields = []
    plane = f.add("MathEval")
    f.setString(plane, "F", f"{sizes.interface!r} + {GRADING!r}*Abs(z - {built.z_interface!r})")
    fields.append(plane)
    if built.edge_curves and sizes.edge < sizes.bulk:
        longest = max(gmsh.model.occ.getMass(1, c) for c in built.edge_curves)
        dist = f.add("Distance")
        f.setNumbers(dist, "CurvesList", built.edge_curves)
        f.setNumber(dist, "Sampling", max(20, math.ceil(2 * longest / sizes.edge)))
        ramp = f.add("Threshold")
        f.setNumber(ramp, "InField", dist)
        f.setNumber(ramp, "SizeMin", sizes.edge)
        f.setNumber(ramp, "SizeMax", sizes.bulk)
        f.setNumber(ramp, "DistMin", 0.0)
        f.setNumber(ramp, "DistMax", (sizes.bulk - sizes.edge) / GRADING)
        fields.append(ramp)
    if sizes.gap is not None and tags.PORE in built.volumes:
        const = f.add("MathEval")
        f.setString(const, "F", repr(sizes.gap))
        pores = built.volumes[tags.PORE]
        faces = {abs(s) for _, s in gmsh.model.getBoundary([(3, p) for p in pores], combined=False)}
        restrict = f.add("Restrict")
        f.setNumber(restrict, "InField", const)
        f.setNumbers(restrict, "VolumesList", pores)
        f.setNumbers(restrict, "SurfacesList", sorted(faces))
        fields.append(restrict)
    total = f.add("Min")
    f.setNumbers(total, "FieldsList", fields)
    f.setAsBackgroundMesh(total)
    gmsh.option.setNumber("Mesh.MeshSizeMax", sizes.bulk)
    gmsh.option.setNumber("Mesh.MeshSizeMin", 0.0)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
