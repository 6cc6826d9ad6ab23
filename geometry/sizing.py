"""Mesh-size fields: fine at contact edges, graded along the interface, coarse in the bulk.

The current density is singular (≈ r^-1/2) at the rim of every contact, so elements shrink
geometrically towards those curves; cap voids get elements no wider than ``max_gap_aspect``
times their height so flat caps stay meshable (flat gaps are extruded as structured layers and
need no size field). Sizes not given in the config come from the interface plan (a third of
the smallest feature, a quarter of the narrowest neck, ...) and are echoed in the summary, so
a user can see and override what was chosen.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import gmsh

from eisfem.config import PatchCell, RunConfig
from eisfem.geometry.builder import BuiltModel
from eisfem.geometry.plan import UM

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


def resolve_sizes(cfg: RunConfig, built: BuiltModel) -> MeshSizes:
    """Fill unset sizes from the planned features and apply ``mesh.refine``."""
    m = cfg.mesh
    plan = built.plan
    thickness = cfg.cell.thickness / UM
    width = cfg.cell.side / UM if isinstance(cfg.cell, PatchCell) else 2 * cfg.cell.radius / UM
    bulk = m.size_bulk / UM if m.size_bulk else min(thickness, width) / 6
    interface = plan.interface_size or bulk  # a single contact: the edge ramp resolves it
    edge = plan.edge_size or interface
    if not plan.electrode.covers_cell:  # the rim of a small electrode is a contact edge
        edge = min(edge, plan.electrode.half / 20)
    gap = None
    if plan.caps is not None:  # flat gaps are extruded: their layers set the height
        gap = m.max_gap_aspect * plan.caps.height
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


def _edge_ramp(curves: list[int], size: float, bulk: float) -> int:
    """A size field growing from ``size`` on the curves to ``bulk`` at slope GRADING."""
    f = gmsh.model.mesh.field
    longest = max(gmsh.model.occ.getMass(1, c) for c in curves)
    dist = f.add("Distance")
    f.setNumbers(dist, "CurvesList", curves)
    f.setNumber(dist, "Sampling", max(20, math.ceil(2 * longest / size)))
    ramp = f.add("Threshold")
    f.setNumber(ramp, "InField", dist)
    f.setNumber(ramp, "SizeMin", size)
    f.setNumber(ramp, "SizeMax", bulk)
    f.setNumber(ramp, "DistMin", 0.0)
    f.setNumber(ramp, "DistMax", max(bulk - size, 0.0) / GRADING)
    return ramp


def curve_size(built: BuiltModel, sizes: MeshSizes, curve: int, refine: float) -> float:
    """The element size at a contact edge: its own feature's size (binned to powers of √2, so
    many rims share few fields) or the resolved edge size, whichever is smaller."""
    if curve not in built.edge_sizes:
        return sizes.edge
    return min(2 ** (math.floor(2 * math.log2(built.edge_sizes[curve] / refine)) / 2), sizes.edge)


def apply_size_fields(built: BuiltModel, sizes: MeshSizes, refine: float = 1.0) -> None:
    """Install the background size field on the current gmsh model.

    ``refine`` (mesh.refine) divides the per-layer edge sizes of the plan as it divided the
    resolved ``sizes``.
    """
    f = gmsh.model.mesh.field
    fields = []
    for z in built.planes:
        plane = f.add("MathEval")
        f.setString(plane, "F", f"{sizes.interface!r} + {GRADING!r}*Abs(z - {z!r})")
        fields.append(plane)
    groups: dict[float, list[int]] = {}
    for c in built.edge_curves:
        groups.setdefault(curve_size(built, sizes, c, refine), []).append(c)
    fields += [
        _edge_ramp(curves, size, sizes.bulk) for size, curves in groups.items() if size < sizes.bulk
    ]
    if sizes.gap is not None and built.cap_volumes:
        const = f.add("MathEval")
        f.setString(const, "F", repr(sizes.gap))
        pores = built.cap_volumes
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
