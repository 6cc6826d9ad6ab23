"""Mesh a placed stack: its labelled surfaces become gmsh discrete surfaces, which gmsh
reparametrises (classifySurfaces + createGeometry) and remeshes with sizes graded from the
contact lines, then fills with tetrahedra (HXT) per volume role.

Remeshing is what makes a 256³ stack solvable: the surface-nets triangles are voxel-sized
everywhere (a million on a 256² interface), the remeshed surfaces are fine only where the
current is singular. Gmsh runs on one thread with a fixed seed: the same stack gives the same
mesh in every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gmsh
import numpy as np

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.image_stack.placement import StackSurfaces
from eisfem.geometry.sizing import GRADING  # size growth per unit distance, as everywhere

SEED = 1
FEATURE_ANGLE = np.pi / 4  # surfaces split at sharper creases (the box edges)


@dataclass
class StackSizes:
    """Target element sizes in µm."""

    edge: float  # at the contact lines (electrolyte | void | metal)
    interface: float  # on the interfaces (contact, pore walls and floors)
    bulk: float


@dataclass
class StackModel:
    volumes: dict[str, list[int]] = field(default_factory=dict)
    surfaces: dict[str, list[int]] = field(default_factory=dict)
    edge_curves: list[int] = field(default_factory=list)


def _load(surf: StackSurfaces) -> None:
    """One discrete surface per role, sharing the nodes."""
    used = np.unique(np.concatenate(list(surf.groups.values())))
    first = True
    for _, tris in sorted(surf.groups.items()):
        s = gmsh.model.addDiscreteEntity(2)
        if first:
            gmsh.model.mesh.addNodes(2, s, used + 1, surf.points[used].ravel())
            first = False
        gmsh.model.mesh.addElementsByType(s, 2, [], (tris + 1).ravel())


def _rows(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(np.sort(a, axis=1), dtype=np.int64)
    return a.view([("a", np.int64), ("b", np.int64), ("c", np.int64)]).ravel()


def _classified_roles(surf: StackSurfaces) -> dict[int, str]:
    """Role of every surface after classification, from the node triples of its triangles
    (classification splits surfaces at creases; it must never merge two roles)."""
    names = sorted(surf.groups)
    rows = np.concatenate([_rows(surf.groups[r] + 1) for r in names])
    role = np.concatenate([np.full(len(surf.groups[r]), k) for k, r in enumerate(names)])
    order = np.argsort(rows)
    rows, role = rows[order], role[order]
    out = {}
    for _, s in gmsh.model.getEntities(2):
        tri = _rows(gmsh.model.mesh.getElementsByType(2, s)[1].reshape(-1, 3))
        k = np.minimum(np.searchsorted(rows, tri), len(rows) - 1)
        found = set(role[k].tolist()) if np.all(rows[k] == tri) else set()
        if len(found) != 1:
            raise GeometryError("the stack surfaces lost their labels when gmsh classified them")
        out[s] = names[found.pop()]
    return out


def _shells(surfaces: list[int]) -> list[list[int]]:
    """Surfaces grouped into connected shells (sharing curves): one surface loop each."""
    parent = {s: s for s in surfaces}

    def root(s: int) -> int:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    owner: dict[int, int] = {}
    for s in surfaces:
        for c in _curves([s]):
            if c in owner:
                parent[root(s)] = root(owner[c])
            owner[c] = s
    shells: dict[int, list[int]] = {}
    for s in surfaces:
        shells.setdefault(root(s), []).append(s)
    return sorted(shells.values())


def _curves(faces: list[int]) -> set[int]:
    return {abs(c) for s in faces for _, c in gmsh.model.getBoundary([(2, s)], oriented=False)}


def _size_field(model: StackModel, sizes: StackSizes) -> None:
    f = gmsh.model.mesh.field
    interface = [
        s
        for r in (tags.WE_CONTACT, tags.WE_METAL, tags.PORE_FLOOR)
        for s in model.surfaces.get(r, [])
    ]
    fields = []
    for entities, key, size in (
        (model.edge_curves, "CurvesList", sizes.edge),
        (interface, "SurfacesList", sizes.interface),
    ):
        if not entities:
            continue
        d = f.add("Distance")
        f.setNumbers(d, key, entities)
        f.setNumber(d, "Sampling", 100)
        t = f.add("Threshold")
        f.setNumber(t, "InField", d)
        f.setNumber(t, "SizeMin", size)
        f.setNumber(t, "SizeMax", sizes.bulk)
        f.setNumber(t, "DistMin", 0.0)
        f.setNumber(t, "DistMax", (sizes.bulk - size) / GRADING)
        fields.append(t)
    if not fields:
        return
    m = f.add("Min")
    f.setNumbers(m, "FieldsList", fields)
    f.setAsBackgroundMesh(m)
    for option in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
        gmsh.option.setNumber("Mesh." + option, 0)


def build_stack_model(surf: StackSurfaces, sizes: StackSizes) -> StackModel:
    """Load, reparametrise and tag the stack surfaces in the current gmsh model, volumes
    included; meshing is left to the caller (``gmsh.model.mesh.generate(3)``)."""
    gmsh.option.setNumber("General.NumThreads", 1)
    gmsh.option.setNumber("Mesh.RandomSeed", SEED)
    _load(surf)
    gmsh.model.mesh.classifySurfaces(FEATURE_ANGLE, True, True, np.pi)
    gmsh.model.mesh.createGeometry()
    roles = _classified_roles(surf)
    model = StackModel()
    for s, role in sorted(roles.items()):
        model.surfaces.setdefault(role, []).append(s)
    for volume in (tags.ELECTROLYTE, tags.PORE):
        shells = _shells([s for s, role in roles.items() if volume in surf.bounds[role]])
        loops = [gmsh.model.geo.addSurfaceLoop(shell) for shell in shells]
        if volume == tags.PORE:  # one volume per void
            model.volumes[volume] = [gmsh.model.geo.addVolume([loop]) for loop in loops]
        elif loops:  # the shell with the counter electrode, holes for enclosed voids
            ce = set(model.surfaces.get(tags.CE, []))
            outer = next(k for k, shell in enumerate(shells) if ce & set(shell))
            holes = [loop for k, loop in enumerate(loops) if k != outer]
            model.volumes[volume] = [gmsh.model.geo.addVolume([loops[outer], *holes])]
    gmsh.model.geo.synchronize()
    contact = _curves(model.surfaces.get(tags.WE_CONTACT, []))
    other = _curves(model.surfaces.get(tags.WE_METAL, []) + model.surfaces.get(tags.PORE_FLOOR, []))
    model.edge_curves = sorted(contact & other)
    for dim, groups in ((3, model.volumes), (2, model.surfaces)):
        for name, ents in groups.items():
            gmsh.model.addPhysicalGroup(dim, ents, name=name)
    _size_field(model, sizes)
    gmsh.option.setNumber("Mesh.Algorithm3D", 10)
    return model


def surface_report(model: StackModel, electrode_area_um2: float) -> dict[str, Any]:
    """Areas and fractions of the meshed interfaces (from the final triangles, SI units)."""
    UM = 1e-6

    def area(role: str) -> float:
        total = 0.0
        for s in model.surfaces.get(role, []):
            tris = gmsh.model.mesh.getElementsByType(2, s)[1].reshape(-1, 3)
            nodes, xyz, _ = gmsh.model.mesh.getNodes(2, s, includeBoundary=True)
            where = np.empty(int(nodes.max()) + 1, dtype=np.int64)
            where[nodes.astype(np.int64)] = np.arange(len(nodes))
            p = np.asarray(xyz).reshape(-1, 3)[where[tris.astype(np.int64)]]
            total += 0.5 * float(
                np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1).sum()
            )
        return total

    contact, floor = area(tags.WE_CONTACT), area(tags.PORE_FLOOR)
    return {
        "electrode_area_m2": electrode_area_um2 * UM**2,
        "contact_area_m2": contact * UM**2,
        "contact_fraction": contact / electrode_area_um2,
        "gap_fraction": floor / electrode_area_um2,
        "pore_area_fraction": floor / electrode_area_um2,
    }
