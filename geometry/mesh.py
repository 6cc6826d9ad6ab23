"""Mesh a geometry spec with gmsh on rank 0 and hand it to DOLFINx as a MeshBundle.

The bundle is the one object the solver needs: the distributed mesh in metres, cell and facet
tags, the physical-group names, the nominal electrode area and a report of what was meshed
(counts, areas, element quality, timings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dolfinx
import gmsh
import numpy as np
from dolfinx.io import gmsh as gmshio
from mpi4py import MPI

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.analytic import AnalyticEntity, fit_entity
from eisfem.geometry.builder import BuiltModel, SideModel, build_model, gap_height_maps
from eisfem.geometry.plan import UM
from eisfem.geometry.sizing import apply_size_fields, resolve_sizes
from eisfem.geometry.specs import GeometrySpec

POOR_QUALITY = 0.05  # minSICN below which 1 % of electrolyte cells earn a warning
CONDUCTING = (tags.ELECTROLYTE, tags.INTERPHASE)  # volumes whose mesh quality matters


@dataclass
class MeshBundle:
    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    groups: dict[str, int]  # physical-group name -> tag
    electrode_area: float  # nominal electrode area, m²
    info: dict[str, Any] = field(default_factory=dict)
    # thin-gap footprint group -> height h(x) in metres at points x (array of shape (3, n))
    gap_height: dict[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)
    # the curved CAD curves and surfaces, in metres: refinement puts new nodes on them
    surfaces: tuple[AnalyticEntity, ...] = ()

    def tag(self, name: str) -> int | None:
        return self.groups.get(name)


def _area(faces: list[int]) -> float:
    return float(sum(gmsh.model.occ.getMass(2, f) for f in faces))


def _integrated_height(faces: list[int], height: Callable) -> float:
    """∫ h dA over meshed faces (µm³): the volume of thin gaps that are not meshed."""
    total = 0.0
    for f in faces:
        _types, _elems, nodes = gmsh.model.mesh.getElements(2, f)
        tri = np.asarray(nodes[0], dtype=np.int64).reshape(-1, 3)
        tags_, xyz, _ = gmsh.model.mesh.getNodes(2, f, includeBoundary=True)
        where = {int(t): i for i, t in enumerate(tags_)}
        pts = np.asarray(xyz).reshape(-1, 3)[[where[int(t)] for t in tri.ravel()]].reshape(-1, 3, 3)
        area = 0.5 * np.linalg.norm(np.cross(pts[:, 1] - pts[:, 0], pts[:, 2] - pts[:, 0]), axis=1)
        c = pts.mean(axis=1)
        mean = np.sum(area * height(c[:, 0], c[:, 1])) / np.sum(area)
        total += float(mean) * gmsh.model.occ.getMass(2, f)  # the exact area, not the chords'
    return total


def _side_measures(built: BuiltModel, side: SideModel) -> dict[str, Any]:
    """Areas, fractions and volumes of one interface from the CAD model (SI units)."""
    area = built.electrode_area
    faces = side.faces
    contact, floors = _area(faces.get("contact", [])), _area(faces.get("floor", []))
    thin = _area(faces.get("gap", []))
    pores = float(sum(gmsh.model.occ.getMass(3, v) for v in side.pores))
    plan = built.plan
    thin_volume = _integrated_height(faces.get("gap", []), plan.height_map) if thin else 0.0
    return {
        "contact_area_m2": contact * UM**2,
        "contact_fraction": contact / area,
        "gap_fraction": (floors + thin) / area,
        "pore_area_fraction": floors / area,
        "thin_gap_area_fraction": thin / area,
        "pore_volume_m3": pores * UM**3,
        "gap_volume_m3": (pores + thin_volume) * UM**3,
    }


def _measures(built: BuiltModel) -> dict[str, Any]:
    """The report of what was built: working-electrode measures at the top level, the
    counter electrode's (symmetric cells) under "ce", feature counts and the plan."""
    info: dict[str, Any] = {
        "electrode_area_m2": built.electrode_area * UM**2,
        "pore_count": built.pore_count,
        **_side_measures(built, built.sides["we"]),
        "feature_counts": dict(built.plan.counts),
        "plan": dict(built.plan.report),
    }
    if "ce" in built.sides:
        info["ce"] = _side_measures(built, built.sides["ce"])
    if built.filament_faces:  # its wall and end face, beyond the plane's contact area
        info["filament_area_m2"] = _area(built.filament_faces) * UM**2
    return info


def quality(volumes: dict[str, list[int]]) -> dict[str, Any]:
    """Element quality (minimum scaled Jacobian, minSICN) overall and per volume group.

    Flat structured gap layers have low minSICN by design (their field is 1D across the gap);
    the electrolyte's quality is what matters for accuracy and is checked.
    """
    by_group = {}
    every = []
    for name, vols in volumes.items():
        q = [
            gmsh.model.mesh.getElementQualities(e, "minSICN")
            for v in vols
            for e in gmsh.model.mesh.getElements(3, v)[1]
        ]
        q = np.concatenate(q) if q else np.empty(0)
        every.append(q)
        if q.size:
            by_group[name] = {
                "cells": int(q.size),
                "min_sicn": float(q.min()),
                "p01_sicn": float(np.percentile(q, 1)),
            }
    q = np.concatenate(every)
    warnings = [
        f"{name}: 1 % of the cells have minSICN < {g['p01_sicn']:.3f}"
        for name, g in by_group.items()
        if name != tags.PORE and g["p01_sicn"] < POOR_QUALITY
    ]
    return {
        "cells": int(q.size),
        "quality_min_sicn": float(q.min()),
        "quality_p01_sicn": float(np.percentile(q, 1)),
        "quality_by_group": by_group,
        "mesh_warnings": warnings,
    }


TET10 = 11  # gmsh element type of the second-order tetrahedron
STRAIGHTEN_PASSES = 3


def _invalid_tets() -> tuple[np.ndarray, float]:
    """Node tags (n, 10) of curved tetrahedra whose Jacobian changes sign, and the smallest
    min/max Jacobian-determinant ratio over all tetrahedra."""
    elements, nodes = gmsh.model.mesh.getElementsByType(TET10)
    lo = gmsh.model.mesh.getElementQualities(elements, "minDetJac")
    hi = gmsh.model.mesh.getElementQualities(elements, "maxDetJac")
    ratio = lo / hi
    return np.asarray(nodes).reshape(-1, 10)[ratio <= 0], float(ratio.min(initial=1.0))


def _edge_vertices() -> list[tuple[int, int]]:
    """The two corners of each edge node of a second-order tetrahedron, in gmsh's order."""
    ref = np.asarray(gmsh.model.mesh.getElementProperties(TET10)[4]).reshape(-1, 3)
    corners = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    return [
        next((i, j) for i, j in corners if np.allclose(node, (ref[i] + ref[j]) / 2))
        for node in ref[4:]
    ]


def curve(order: int) -> dict[str, Any]:
    """Make the mesh of the current gmsh model second order with nodes on the CAD entities.

    Gmsh places the new edge and face nodes on the CAD curves and surfaces, so cylinder walls,
    circular rims, spherical and spheroidal caps are represented to the order of the elements
    (a P2 solution on straight-sided tetrahedra keeps the O(h²) error of the chords: +1.4 % in
    the resistance of a full-contact pellet at default sizes); planar faces, and so the
    structured layers of flat gaps, stay planar. A curved node can invert a thin element
    (seen once, in a spheroidal cap void): the edges of such elements are straightened again,
    which keeps the mesh conforming and costs a local chord error only. Gmsh's "HighOrder"
    optimizer is not used: on that same mesh it aborted the whole process (an uncaught C++
    exception) instead of reporting failure.
    """
    t0 = time.perf_counter()
    gmsh.model.mesh.setOrder(order)
    invalid, ratio = _invalid_tets()
    straightened = 0
    pairs = _edge_vertices()
    for _ in range(STRAIGHTEN_PASSES):
        if not len(invalid):
            break
        for element in invalid:
            corners = [np.asarray(gmsh.model.mesh.getNode(int(t))[0]) for t in element[:4]]
            for k, (i, j) in enumerate(pairs, start=4):
                gmsh.model.mesh.setNode(int(element[k]), list((corners[i] + corners[j]) / 2), [])
        straightened += len(invalid)
        invalid, ratio = _invalid_tets()
    if len(invalid):
        raise GeometryError(
            f"curving the mesh to order {order} inverts elements; try mesh.refine or "
            "mesh.geometry_order 1"
        )
    return {
        "geometry_order": order,
        "curved_jacobian_ratio_min": ratio,
        "curved_elements_straightened": straightened,
        "curving_seconds": time.perf_counter() - t0,
    }


def generate(spec: GeometrySpec, msh_path: Path | None = None) -> tuple[BuiltModel, dict[str, Any]]:
    """Build and mesh ``spec`` in the current gmsh session; optionally save the .msh file."""
    t0 = time.perf_counter()
    gmsh.model.add(spec.name)
    gmsh.option.setNumber("General.NumThreads", 1)  # reproducible meshes
    # HXT is ~2× faster than Delaunay on these meshes. Gmsh's tet optimizer runs on the
    # conducting volumes only: on flat cap voids (slivers by nature, with a 1D field across
    # the gap) a full pass makes meshing ~4× slower (bench/meshing_options.py).
    gmsh.option.setNumber("Mesh.Algorithm3D", 10)
    gmsh.option.setNumber("Mesh.Optimize", 0)
    built = build_model(spec)
    sizes = resolve_sizes(spec, built)
    apply_size_fields(built, sizes)
    try:
        gmsh.model.mesh.generate(3)
        conducting = [(3, v) for g in CONDUCTING for v in built.volumes.get(g, [])]
        gmsh.model.mesh.optimize("", dimTags=conducting)
    except Exception as exc:
        raise GeometryError(
            f"gmsh could not mesh this geometry ({exc}); try mesh.refine or larger feature sizes"
        ) from None
    info = _measures(built) | quality(built.volumes)
    info["mesh_sizes_m"] = sizes.as_metres()
    if info["quality_min_sicn"] <= 0:
        raise GeometryError("the mesh has inverted elements (minSICN <= 0); change mesh sizes")
    if spec.mesh.geometry_order > 1:
        info |= curve(spec.mesh.geometry_order)
    if msh_path is not None:
        gmsh.write(str(msh_path))
    info["meshing_seconds"] = time.perf_counter() - t0
    return built, info


def analytic_entities() -> list[AnalyticEntity]:
    """The curved curves and surfaces of the current gmsh model that fit a quadric of
    revolution about z (``geometry/analytic``), from the nodes gmsh put on each."""
    found = []
    for dim, tag in gmsh.model.getEntities(1) + gmsh.model.getEntities(2):
        nodes = gmsh.model.mesh.getNodes(dim, tag, includeBoundary=True)[1]
        if (entity := fit_entity(np.asarray(nodes).reshape(-1, 3), dim)) is not None:
            found.append(entity)
    return found


def mesh_bundle(
    spec: GeometrySpec, msh_path: Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshBundle:
    """Mesh on rank 0, distribute over ``comm``, scale µm to metres."""
    return bundle_from_gmsh(
        lambda: generate(spec, msh_path)[1], comm, UM, gap_height=gap_height_maps(spec)
    )


def bundle_from_gmsh(
    build: Callable[[], dict[str, Any]],
    comm: MPI.Comm = MPI.COMM_WORLD,
    unit: float = UM,
    gap_height: dict[str, Callable[[np.ndarray], np.ndarray]] | None = None,
) -> MeshBundle:
    """Run ``build`` on rank 0 in a fresh gmsh session, distribute its mesh over ``comm``.

    ``build`` creates and meshes a model tagged with the groups of :mod:`tags` and returns its
    report (with ``electrode_area_m2``); model coordinates are scaled by ``unit`` to metres.
    Every geometry source (parametric, image stack, a user's mesh) takes this one road.
    """
    info: dict[str, Any] | None = None
    error: str | None = None
    surfaces: list[AnalyticEntity] = []
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        try:
            info = build()
            surfaces = analytic_entities()
        except GeometryError as exc:
            error = str(exc)
    error = comm.bcast(error, root=0)
    if error is not None:
        if comm.rank == 0:
            gmsh.finalize()
        raise GeometryError(error)
    t0 = time.perf_counter()
    try:
        data = gmshio.model_to_mesh(gmsh.model if comm.rank == 0 else None, comm, 0, gdim=3)
    finally:
        if comm.rank == 0:
            gmsh.finalize()
    data.mesh.geometry.x[:] *= unit
    info = comm.bcast(info, root=0)
    surfaces = comm.bcast(surfaces, root=0)
    info["conversion_seconds"] = time.perf_counter() - t0
    groups = {name: pg.tag for name, pg in data.physical_groups.items()}
    return MeshBundle(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        groups=groups,
        electrode_area=info["electrode_area_m2"],
        info=info,
        gap_height=gap_height or {},
        surfaces=tuple(s.scaled(unit) for s in surfaces),
    )
