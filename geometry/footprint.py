"""An interface plan as OpenCASCADE entities on its plane: faces per layer, cap solids.

Layers are made disjoint here (each layer's faces are cut by the faces of the layers painted
over it) and, on a disk electrode, clipped to the exact electrode circle, so that after the
builder's one global fragment every face of the plane descends from at most one layer shape
and its role (contact, gap, bare) and gap height follow from the fragment's parent map.
Coordinates are micrometres; ``sign`` is +1 for the working electrode on top (features grow
into +z) and -1 for the counter electrode at the bottom (mirrored, features grow into -z).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import gmsh
import numpy as np
import shapely

from eisfem.geometry.plan import InterfacePlan


@dataclass
class LayerFaces:
    """OCC faces of one plan layer with the gap height (None for contact/bare) and the rim
    element size (None: the plan's) of the shape each face came from."""

    role: str
    faces: list[int] = field(default_factory=list)
    heights: list[float | None] = field(default_factory=list)
    edges: list[float | None] = field(default_factory=list)


@dataclass
class PlaneFaces:
    """The entities of one interface plan, ready to be fragmented with the cell."""

    plan: InterfacePlan
    z: float
    sign: int
    electrode_face: int | None  # only when the electrode does not cover the cell's face
    layers: list[LayerFaces]
    caps: list[int]

    def tools(self) -> list[tuple[int, int]]:
        out = [(2, self.electrode_face)] if self.electrode_face is not None else []
        out += [(2, f) for layer in self.layers for f in layer.faces]
        return out + [(3, c) for c in self.caps]


def add_polygon(poly: shapely.Polygon, z: float) -> int:
    """A plane face at height z bounded by the polygon's rings (holes included).

    Every ring goes to gmsh counter-clockwise: gmsh orients the hole wires itself, and a
    clockwise hole would be added to the face's area instead of removed.
    """
    occ = gmsh.model.occ

    def loop(ring) -> int:
        xy = np.asarray(ring.coords)[:-1]
        if not ring.is_ccw:
            xy = xy[::-1]
        pts = [occ.addPoint(x, y, z) for x, y in xy]
        lines = [occ.addLine(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
        return occ.addCurveLoop(lines)

    return occ.addPlaneSurface([loop(poly.exterior)] + [loop(r) for r in poly.interiors])


def _half_spheroid(x: float, y: float, z0: float, radius: float, height: float, sign: int):
    """A half-spheroid as a solid of revolution of an exact quarter ellipse (a dilated sphere
    would become an approximating B-spline, off by ~0.2 % in volume)."""
    occ = gmsh.model.occ
    centre = occ.addPoint(x, y, z0)
    rim, top = occ.addPoint(x + radius, y, z0), occ.addPoint(x, y, z0 + sign * height)
    arc = occ.addEllipseArc(rim, centre, rim if radius >= height else top, top)
    loop = occ.addCurveLoop([occ.addLine(centre, rim), arc, occ.addLine(top, centre)])
    face = occ.addPlaneSurface([loop])
    out = occ.revolve([(2, face)], x, y, z0, 0.0, 0.0, 1.0, 2 * math.pi)
    occ.remove([(2, face)])  # the meridian stays behind as a free face otherwise
    return next(t for d, t in out if d == 3)


def add_cap(x: float, y: float, z0: float, radius: float, height: float, sign: int, shape: str):
    """A cap void on the plane z0 growing into sign·z: a spherical cap (lens) of base radius
    and height, or a half-spheroid (ellipsoid) of semi-axes radius, radius, height."""
    if shape == "ellipsoid":
        return _half_spheroid(x, y, z0, radius, height, sign)
    occ = gmsh.model.occ
    rho = (radius**2 + height**2) / (2.0 * height)
    ball = occ.addSphere(x, y, z0 + sign * (height - rho), rho)
    clip = occ.addCylinder(x, y, z0, 0.0, 0.0, sign * height * 1.001, radius * 1.001)
    out, _ = occ.intersect([(3, ball)], [(3, clip)])
    if len(out) != 1:
        raise RuntimeError(f"{shape} pore at ({x:g}, {y:g}) did not form one solid: {out}")
    return out[0][1]


def cap_volume(shape: str, radius: float, height: float) -> float:
    """Exact volume of one cap void (same units cubed)."""
    if shape == "ellipsoid":
        return 2.0 / 3.0 * math.pi * radius**2 * height
    return math.pi * height * (3 * radius**2 + height**2) / 6.0


def _layer_faces(plan: InterfacePlan, z: float) -> list[LayerFaces]:
    occ = gmsh.model.occ
    out = []
    for layer in plan.layers:
        lf = LayerFaces(layer.role)
        shapes = [occ.addDisk(x, y, z, r, r) for x, y, r in layer.disks]
        shapes += [add_polygon(p, z) for p in layer.polygons]
        heights = list(layer.heights) if layer.heights is not None else [None] * len(shapes)
        lf.faces, lf.heights, lf.edges = shapes, heights, layer.shape_edge_sizes()
        out.append(lf)
    return out


def _apply(op, layer: LayerFaces, tools: list[tuple[int, int]], remove_tool: bool) -> None:
    """Replace the layer's faces by the result of a boolean with ``tools``, keeping each
    face's height and rim size."""
    if not layer.faces or not tools:
        return
    objects = [(2, f) for f in layer.faces]
    _, children = op(objects, tools, removeObject=True, removeTool=remove_tool)
    faces, heights, edges = [], [], []
    for kids, h, e in zip(children[: len(objects)], layer.heights, layer.edges, strict=True):
        for d, t in kids:
            if d == 2:
                faces.append(t)
                heights.append(h)
                edges.append(e)
    layer.faces, layer.heights, layer.edges = faces, heights, edges


def add_plan(plan: InterfacePlan, z: float, sign: int) -> PlaneFaces:
    """Create the plan's faces and cap solids on the plane z (not yet fragmented)."""
    occ = gmsh.model.occ
    e = plan.electrode
    layers = _layer_faces(plan, z)
    for i, layer in enumerate(layers):  # later layers are painted over earlier ones
        later = [(2, f) for above in layers[i + 1 :] for f in above.faces]
        _apply(occ.cut, layer, later, remove_tool=False)
    if e.shape == "disk":
        for layer in layers:
            _apply(occ.intersect, layer, [(2, occ.addDisk(e.cx, e.cy, z, e.half, e.half))], True)
    electrode_face = None if e.covers_cell else occ.addDisk(e.cx, e.cy, z, e.half, e.half)
    caps = []
    if plan.caps is not None:
        caps = [
            add_cap(x, y, z, r, plan.caps.height, sign, plan.caps.shape)
            for x, y, r in plan.caps.disks
        ]
    return PlaneFaces(plan, z, sign, electrode_face, layers, caps)
