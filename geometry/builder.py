"""Build the gmsh OCC model of a cell with its interface(s), in micrometres, and tag it.

The cell is an electrolyte block (square patch or cylindrical pellet, with an optional
interphase layer under each modelled interface). The working-electrode (WE) interface is its
top face; in a symmetric cell the counter-electrode (CE) interface at z = 0 carries the same
plan mirrored, in a half-cell the bottom face is an ideal CE. Each interface's plan
(:mod:`eisfem.geometry.plan`) is realised as faces and cap solids on its plane
(:mod:`eisfem.geometry.footprint`), everything is fragmented once so all volumes are
conformal, resolved flat gaps are then extruded from their floors as structured layers (a
100 nm gap under a 500 µm electrode costs a few prisms per floor triangle instead of millions
of tetrahedra), and every entity is classified into the groups of :mod:`eisfem.geometry.tags`
from the fragment's parent map and the surface adjacencies (never from entity numbers, which
OCC booleans renumber).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import gmsh
import numpy as np

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.footprint import PlaneFaces, add_plan
from eisfem.geometry.plan import UM, InterfacePlan
from eisfem.geometry.specs import CellSpec, GeometrySpec

SIDE_GROUPS = {  # role of a face or volume -> group, per electrode side
    "we": {
        "contact": tags.WE_CONTACT,
        "gap": tags.WE_GAP,
        "metal": tags.WE_METAL,
        "floor": tags.PORE_FLOOR,
    },
    "ce": {
        "contact": tags.CE,
        "gap": tags.CE_GAP,
        "metal": tags.CE_METAL,
        "floor": tags.CE_PORE_FLOOR,
    },
}


@dataclass
class SideModel:
    """The entities of one electrode's interface after fragmenting and extruding."""

    name: str  # "we" or "ce"
    plane: PlaneFaces
    faces: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # by role
    pores: list[int] = field(default_factory=list)  # void volumes (caps and extruded gaps)
    caps: list[int] = field(default_factory=list)


@dataclass
class BuiltModel:
    """Entities of the built model by role, in model units (µm), for sizing and reporting."""

    z_interface: float  # the plane where the working electrode meets the cell
    electrode_area: float  # nominal electrode area (µm²)
    plan: InterfacePlan
    planes: list[float]  # z of every modelled interface plane
    volumes: dict[str, list[int]] = field(default_factory=dict)
    surfaces: dict[str, list[int]] = field(default_factory=dict)
    edge_curves: list[int] = field(default_factory=list)  # contact edges: singular current
    edge_sizes: dict[int, float] = field(default_factory=dict)  # per-curve size overrides (µm)
    sides: dict[str, SideModel] = field(default_factory=dict)
    pore_count: int = 0
    filament_faces: list[int] = field(default_factory=list)  # its wall and end face

    @property
    def cap_volumes(self) -> list[int]:
        return [c for side in self.sides.values() for c in side.caps]


def _add_block(cell: CellSpec, z0: float, height: float) -> int:
    occ = gmsh.model.occ
    if cell.shape == "patch":
        s = cell.width / UM
        return occ.addBox(-s / 2, -s / 2, z0, s, s, height)
    return occ.addCylinder(0.0, 0.0, z0, 0.0, 0.0, height, cell.radius / UM)


def _blocks(cell: CellSpec) -> tuple[list[tuple[int, str]], float]:
    """Electrolyte and interphase blocks bottom to top, and the z of the WE plane."""
    t = cell.thickness / UM
    d = (cell.interphase_thickness or 0.0) / UM
    layers = [(tags.ELECTROLYTE, t)]
    if d:
        layers.append((tags.INTERPHASE, d))
        if cell.layout == "symmetric":
            layers.insert(0, (tags.INTERPHASE, d))
    out, z = [], 0.0
    for role, height in layers:
        out.append((_add_block(cell, z, height), role))
        z += height
    return out, z


def _add_filament(plan: InterfacePlan, z_we: float) -> int:
    """The filament's cylinder, from the WE plane down to its depth (a fragment tool)."""
    f = plan.filament
    return gmsh.model.occ.addCylinder(f.x, f.y, z_we - f.depth, 0.0, 0.0, f.depth, f.radius)


def _remove_filament(
    built: BuiltModel, volumes: list[int], children: dict[tuple[int, int], list[int]]
) -> dict[tuple[int, int], list[int]]:
    """Take the filament's volume out of the model (it is metal, not meshed), keep its wall and
    end face as ``built.filament_faces``, and drop removed entities from ``children``."""
    occ = gmsh.model.occ
    bounding = {abs(t) for _, t in gmsh.model.getBoundary([(3, v) for v in volumes])}
    occ.remove([(3, v) for v in volumes], recursive=True)
    occ.synchronize()
    alive = {d: {t for _, t in gmsh.model.getEntities(d)} for d in (2, 3)}
    built.filament_faces = sorted(bounding & alive[2])
    return {dt: [t for t in k if t in alive[dt[0]]] for dt, k in children.items()}


def _horizontal(curve: int) -> bool:
    """Whether a curve lies in a plane z = const (a filament's circles, not its seam)."""
    _, _, z0, _, _, z1 = gmsh.model.getBoundingBox(1, curve)
    return z1 - z0 < 1e-3


def _on_plane(tag: int, z: float) -> bool:
    """Whether a face is a piece of the horizontal plane z.

    A plane face's centre of mass lies exactly in it, whatever its boundary (bounding boxes of
    faces bounded by conics are padded by ~1e-4 µm, too coarse next to 1 nm gaps); vertical
    plane faces of the model never have their centre on an interface plane.
    """
    if gmsh.model.getType(2, tag) != "Plane":
        return False
    return abs(gmsh.model.occ.getCenterOfMass(2, tag)[2] - z) < 1e-9 * max(abs(z), 1.0)


def _outside_electrode(cell: CellSpec, plan: InterfacePlan, face: int) -> bool:
    """Whether a face lies on the cell's side wall or on the electrode's rim cylinder.

    Faces well inside the electrode are told by their bounding box; the others (side faces of
    extruded gaps: planes and cylinders) by their parametric midpoint.
    """
    e = plan.electrode
    tol = 1e-6 * e.half
    x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(2, face)
    corners = [(x - e.cx, y - e.cy) for x in (x0, x1) for y in (y0, y1)]
    norm = (lambda u, v: max(abs(u), abs(v))) if e.shape == "square" else math.hypot
    if max(norm(u, v) for u, v in corners) < e.half - tol:
        return False
    lo, hi = gmsh.model.getParametrizationBounds(2, face)
    x, y, _ = gmsh.model.getValue(2, face, [(a + b) / 2 for a, b in zip(lo, hi, strict=True)])
    if cell.shape == "patch":
        return norm(x - e.cx, y - e.cy) > e.half - tol
    return (
        abs(math.hypot(x, y) - cell.radius / UM) < tol
        or math.hypot(x - e.cx, y - e.cy) > e.half - tol
    )


def _plane_roles(side: SideModel, children: dict[tuple[int, int], list[int]]) -> dict[int, tuple]:
    """Role and gap height of every face on the side's plane, from the fragment's parents."""
    pf = side.plane
    inside = None if pf.electrode_face is None else set(children[(2, pf.electrode_face)])
    roles: dict[int, tuple[str, float | None]] = {}
    for _, s in gmsh.model.getEntities(2):
        if _on_plane(s, pf.z) and (inside is None or s in inside):
            roles[s] = (pf.plan.default, pf.plan.default_height)
        elif _on_plane(s, pf.z):
            roles[s] = ("bare", None)
    for layer in pf.layers:  # disjoint by construction; later layers win anyway
        for f, h in zip(layer.faces, layer.heights, strict=True):
            for kid in children.get((2, f), []):
                roles[kid] = (layer.role, h)
    return roles


def _extrude_gaps(gap_layers: int, side: SideModel, roles: dict[int, tuple]) -> None:
    """Extrude the resolved gap floors of one side into structured void layers.

    Floors of equal height go into one extrusion, so neighbouring floors share their side
    faces and the voids stay conformal.
    """
    by_height: dict[float, list[int]] = defaultdict(list)
    for s, (role, h) in roles.items():
        if role == "gap":
            by_height[round(h, 9)].append(s)
    occ = gmsh.model.occ
    for h, faces in sorted(by_height.items()):
        out = occ.extrude(
            [(2, f) for f in sorted(faces)],
            0.0,
            0.0,
            side.plane.sign * h,
            numElements=[gap_layers],
        )
        side.pores += [t for d, t in out if d == 3]
    occ.synchronize()


def build_model(spec: GeometrySpec) -> BuiltModel:
    """Create the OCC geometry of ``spec`` in the current gmsh model and tag physical groups."""
    occ = gmsh.model.occ
    plan = spec.plan
    blocks, z_we = _blocks(spec.cell)
    sides = {"we": SideModel("we", add_plan(plan, z_we, +1))}
    if spec.cell.layout == "symmetric":
        sides["ce"] = SideModel("ce", add_plan(plan, 0.0, -1))
    # One fragment of everything makes all interfaces conformal (shared faces, no duplicates).
    pieces = [(3, b) for b, _ in blocks] + [t for s in sides.values() for t in s.plane.tools()]
    if plan.filament is not None:
        pieces.append((3, _add_filament(plan, z_we)))
    kids = occ.fragment(pieces[:1], pieces[1:])[1] if len(pieces) > 1 else [pieces]
    occ.synchronize()
    children = {dt: [t for _, t in k] for dt, k in zip(pieces, kids, strict=True)}

    area = plan.nominal_area if plan.nominal_area is not None else plan.electrode.area
    built = BuiltModel(z_we, area, plan, planes=[z_we])
    if plan.filament is not None:
        children = _remove_filament(built, children[pieces[-1]], children)
    vols: dict[str, list[int]] = defaultdict(list)
    for b, role in blocks:
        vols[role] += children[(3, b)]
    plane_roles: dict[str, dict[int, tuple]] = {}
    for side in sides.values():
        side.caps = sorted({t for c in side.plane.caps for t in children[(3, c)]})
        side.pores = list(side.caps)
        plane_roles[side.name] = roles = _plane_roles(side, children)
        if not plan.thin:
            _extrude_gaps(spec.mesh.gap_layers, side, roles)
        vols[tags.PORE] += side.pores
    if "ce" in sides:
        built.planes.append(0.0)
    built.sides = sides
    built.volumes = {k: v for k, v in vols.items() if v}
    built.pore_count = plan.counts.get("pores", 0)
    built.surfaces = _classify_surfaces(spec.cell, built, plane_roles)
    built.edge_curves = _contact_edges(built)
    built.edge_sizes = _edge_sizes(built, children)
    if plan.filament is not None:  # its rim and tip circles: sharp metal edges
        circles = [c for c in _curves(built.filament_faces) if _horizontal(c)]
        built.edge_curves = sorted(set(built.edge_curves) | set(circles))
        built.edge_sizes |= dict.fromkeys(circles, plan.filament.edge_size)
    for dim, groups in ((3, built.volumes), (2, built.surfaces)):
        for name, ents in groups.items():
            gmsh.model.addPhysicalGroup(dim, ents, name=name)
    return built


def _classify_surfaces(
    cell: CellSpec, built: BuiltModel, plane_roles: dict[str, dict[int, tuple]]
) -> dict[str, list[int]]:
    """Assign every boundary surface of the model to a group of the tag contract."""
    pore_side = {v: name for name, side in built.sides.items() for v in side.pores}
    out: dict[str, list[int]] = defaultdict(list)
    for _, s in gmsh.model.getEntities(2):
        up = [int(v) for v in gmsh.model.getAdjacencies(2, s)[0]]
        if len(up) == 2:
            pores = [pore_side[v] for v in up if v in pore_side]
            if len(pores) == 1:
                name = pores[0]
                out[SIDE_GROUPS[name]["floor"]].append(s)
                built.sides[name].faces["floor"].append(s)
            continue
        if len(up) != 1:
            raise GeometryError(f"surface {s} bounds {len(up)} volumes; the model is not conformal")
        side_name = next((n for n, r in plane_roles.items() if s in r), None)
        if s in built.filament_faces:
            out[tags.WE_CONTACT].append(s)
        elif up[0] in pore_side:
            name = pore_side[up[0]]
            wall = _outside_electrode(cell, built.plan, s)
            out[tags.INSULATING if wall else SIDE_GROUPS[name]["metal"]].append(s)
        elif side_name is not None:
            role = plane_roles[side_name][s][0]
            built.sides[side_name].faces[role].append(s)
            group = tags.INSULATING if role == "bare" else SIDE_GROUPS[side_name][role]
            out[group].append(s)
        elif "ce" not in built.sides and _on_plane(s, 0.0):
            out[tags.CE].append(s)
        else:
            out[tags.INSULATING].append(s)
    return {k: sorted(v) for k, v in out.items() if v}


def _curves(faces: list[int]) -> set[int]:
    out: set[int] = set()
    for s in faces:
        out.update(abs(c) for _, c in gmsh.model.getBoundary([(2, s)], oriented=False))
    return out


def _contact_edges(built: BuiltModel) -> list[int]:
    """Curves where a metal contact ends on the electrolyte: the rims of every contact region
    against a gap, a pore floor or bare electrolyte (the current is singular there)."""
    curves: set[int] = set()
    for side in built.sides.values():
        other = [f for role in ("gap", "floor", "bare") for f in side.faces.get(role, [])]
        curves |= _curves(side.faces.get("contact", [])) & _curves(other)
    return sorted(curves)


def _edge_sizes(built: BuiltModel, children: dict[tuple[int, int], list[int]]) -> dict[int, float]:
    """Rim element sizes of shapes that ask for their own (per pore, per nucleus), per curve."""
    edges = set(built.edge_curves)
    out: dict[int, float] = {}

    def claim(entity: tuple[int, int], size: float | None) -> None:
        if size is None:
            return
        dim = entity[0]
        kids = children.get(entity, [])
        faces = kids if dim == 2 else [f for v in kids for _, f in _boundary(v)]
        for c in _curves(faces) & edges:
            out[c] = min(out.get(c, math.inf), size)

    for side in built.sides.values():
        for layer in side.plane.layers:
            for f, size in zip(layer.faces, layer.edges, strict=True):
                claim((2, f), size)
        caps = built.plan.caps
        if caps is not None and caps.edge_size is not None:
            for c, size in zip(side.plane.caps, caps.edge_size, strict=True):
                claim((3, c), size)
    return out


def _boundary(volume: int) -> list[tuple[int, int]]:
    return gmsh.model.getBoundary([(3, volume)], oriented=False)


def gap_height_maps(spec: GeometrySpec) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Height h(x) (m) of each thin-gap footprint group, for the solver's gap admittance.

    Computed from the spec alone (the plan is seeded), so every MPI rank can build it
    without communication; x is an array of shape (3, n) in metres.
    """
    plan = spec.plan
    if not (plan.thin and plan.has_gaps):
        return {}
    height = plan.height_map

    def h(x: np.ndarray) -> np.ndarray:
        return height(x[0] / UM, x[1] / UM) * UM

    groups = [tags.WE_GAP] + ([tags.CE_GAP] if spec.cell.layout == "symmetric" else [])
    return dict.fromkeys(groups, h)
