"""Mesh-size fields: fine at contact edges, graded along the interface, coarse in the bulk.

The current density is singular (≈ r^-1/2) at the rim of every contact, so elements shrink
geometrically towards those curves; cap voids get elements no wider than ``max_gap_aspect``
times their height so flat caps stay meshable (flat gaps are extruded as structured layers and
need no size field). Sizes not given in the config come from the interface plan (a third of
the smallest feature, a quarter of the narrowest neck, ...) and are echoed in the summary, so
a user can see and override what was chosen. Every size rule lives here: the defaults, the
user's overrides, ``refine`` (which divides all of them, per-rim sizes included) and the binning
of rim sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import gmsh

from eisfem.geometry.builder import BuiltModel
from eisfem.geometry.plan import UM
from eisfem.geometry.specs import GeometrySpec

GRADING = 0.3  # growth of element size per unit distance from a refined entity
WALL_PER_RADIUS = 0.5  # element size on a filament's wall (curved P2 nodes follow the wall)


@dataclass
class MeshSizes:
    """Resolved target sizes in micrometres."""

    bulk: float
    interface: float
    edge: float
    gap: float | None  # inside pores (None: no pores)
    rims: dict[int, float] = field(default_factory=dict)  # per-curve rim sizes, refined
    filament: float | None = None  # on a filament's wall (None: no filament)

    def as_metres(self) -> dict[str, float | None]:
        """The sizes for the summary; per-rim sizes as their range."""
        sizes = {"bulk": self.bulk, "interface": self.interface, "edge": self.edge, "gap": self.gap}
        out = {k: (v * UM if v is not None else None) for k, v in sizes.items()}
        if self.rims:
            out["feature_edge_min"] = min(self.rims.values()) * UM
            out["feature_edge_max"] = max(self.rims.values()) * UM
        return out


def resolve_sizes(spec: GeometrySpec, built: BuiltModel) -> MeshSizes:
    """Fill unset sizes from the planned features and apply ``refine`` to all of them.

    A given ``size_edge`` is one size for every contact edge, so it replaces the plan's
    per-feature rim sizes.
    """
    m = spec.mesh
    plan = built.plan
    thickness = spec.cell.thickness / UM
    width = spec.cell.width / UM
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
    if spec.cell.interphase_thickness is not None:
        interface = min(interface, 2 * spec.cell.interphase_thickness / UM)
    interface = min(interface, bulk)
    edge = min(edge, interface)
    k = m.refine
    rims = {} if m.size_edge else {c: s / k for c, s in built.edge_sizes.items()}
    filament = None if plan.filament is None else plan.filament.radius * WALL_PER_RADIUS / k
    return MeshSizes(
        bulk / k, interface / k, edge / k, None if gap is None else gap / k, rims, filament
    )


def _edge_ramp(curves: list[int], size: float, bulk: float, surfaces: bool = False) -> int:
    """A size field growing from ``size`` on the curves (or surfaces) to ``bulk`` at slope
    GRADING."""
    f = gmsh.model.mesh.field
    dim = 2 if surfaces else 1
    longest = max(gmsh.model.occ.getMass(dim, c) ** (1 / dim) for c in curves)
    dist = f.add("Distance")
    f.setNumbers(dist, "SurfacesList" if surfaces else "CurvesList", curves)
    f.setNumber(dist, "Sampling", max(20, math.ceil(2 * longest / size)))
    ramp = f.add("Threshold")
    f.setNumber(ramp, "InField", dist)
    f.setNumber(ramp, "SizeMin", size)
    f.setNumber(ramp, "SizeMax", bulk)
    f.setNumber(ramp, "DistMin", 0.0)
    f.setNumber(ramp, "DistMax", max(bulk - size, 0.0) / GRADING)
    return ramp


def curve_size(sizes: MeshSizes, curve: int) -> float:
    """The element size at a contact edge: its own rim size (binned to powers of √2, so many
    rims share few fields) or the resolved edge size, whichever is smaller."""
    if curve not in sizes.rims:
        return sizes.edge
    return min(2 ** (math.floor(2 * math.log2(sizes.rims[curve])) / 2), sizes.edge)


def apply_size_fields(built: BuiltModel, sizes: MeshSizes) -> None:
    """Install the background size field of the resolved ``sizes`` on the current gmsh model."""
    f = gmsh.model.mesh.field
    fields = []
    for z in built.planes:
        plane = f.add("MathEval")
        f.setString(plane, "F", f"{sizes.interface!r} + {GRADING!r}*Abs(z - {z!r})")
        fields.append(plane)
    groups: dict[float, list[int]] = {}
    for c in built.edge_curves:
        groups.setdefault(curve_size(sizes, c), []).append(c)
    fields += [
        _edge_ramp(curves, size, sizes.bulk) for size, curves in groups.items() if size < sizes.bulk
    ]
    if sizes.filament is not None:  # a wall of a few µm radius needs elements below it
        fields.append(_edge_ramp(built.filament_faces, sizes.filament, sizes.bulk, surfaces=True))
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
