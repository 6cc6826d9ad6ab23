"""Turn a checked user mesh into a tagged gmsh model, so it takes the same road to DOLFINx as
eisfem's own meshes (gmsh model → ``dolfinx.io.gmsh.model_to_mesh`` on rank 0).

Each role becomes one discrete entity with a physical group of the role's name; the tag
contract of :mod:`eisfem.geometry.tags` is all the solver looks at.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
from mpi4py import MPI
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle, bundle_from_gmsh, quality
from eisfem.geometry.user_mesh.checks import (
    check_cells,
    check_conforming,
    signed_volumes,
    surface_facets,
)
from eisfem.geometry.user_mesh.read import TaggedMesh, read_user_mesh
from eisfem.geometry.user_mesh.spec import VOLUME_ROLES, UserMeshSpec

TET, TRIANGLE = 4, 2  # gmsh element types


def _areas(points: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Area and unit-normal z component of each triangle."""
    p = points[tris]
    n = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    norm = np.linalg.norm(n, axis=1)
    return 0.5 * norm, n[:, 2] / norm


def _pore_count(tets: np.ndarray) -> int:
    """Connected pieces of the pore volume (tetrahedra sharing a node are connected)."""
    if len(tets) == 0:
        return 0
    nodes, local = np.unique(tets, return_inverse=True)
    rows = np.repeat(np.arange(len(tets)), 4)
    graph = coo_matrix((np.ones(rows.size), (rows, local.ravel())), (len(tets), len(nodes)))
    graph = (graph @ graph.T).tocsr()
    return int(connected_components(graph, directed=False)[0])


def _measures(spec: UserMeshSpec, points, tets, tet_role, surfaces) -> dict[str, Any]:
    u = spec.unit
    area = {}
    projected = 0.0
    for role, tris in surfaces.items():
        a, nz = _areas(points, tris)
        area[role] = float(a.sum()) * u**2
        if role in tags.WE_SURFACES:
            projected += float(np.sum(a * np.abs(nz))) * u**2
    electrode = spec.electrode_area if spec.electrode_area is not None else projected
    pore_tets = tets[tet_role == VOLUME_ROLES.index(tags.PORE)]
    floors = area.get(tags.PORE_FLOOR, 0.0) + area.get(tags.WE_GAP, 0.0)
    pore_volume = float(np.abs(signed_volumes(points, pore_tets)).sum()) * u**3
    thin = area.get(tags.WE_GAP, 0.0)
    return {
        "electrode_area_m2": electrode,
        "pore_count": (pores := _pore_count(pore_tets)),
        "feature_counts": {"pores": pores},
        "contact_area_m2": area.get(tags.WE_CONTACT, 0.0),
        "contact_fraction": area.get(tags.WE_CONTACT, 0.0) / electrode,
        "gap_fraction": floors / electrode,
        "pore_area_fraction": area.get(tags.PORE_FLOOR, 0.0) / electrode,
        "thin_gap_area_fraction": thin / electrode,
        "pore_volume_m3": pore_volume,
        "gap_volume_m3": pore_volume + thin * (spec.gap_height or 0.0),
        "mesh_sizes_m": {},  # the user's mesh: eisfem chose no sizes
        "plan": {
            "mesh_file": str(spec.path),
            "electrode_area": "given" if spec.electrode_area is not None else "projected",
            "surface_areas_m2": area,
        },
    }


def read_checked(spec: UserMeshSpec) -> tuple[TaggedMesh, dict[str, np.ndarray]]:
    """Read ``spec`` and run every check; returns the mesh and its triangles per surface role."""
    mesh = read_user_mesh(spec)
    check_cells(mesh, spec.path.name)
    check_conforming(mesh, spec.path.name)
    return mesh, surface_facets(mesh, spec)


def build_user_model(spec: UserMeshSpec) -> tuple[dict[str, list[int]], dict[str, Any]]:
    """Read, check and load ``spec`` into the current gmsh model; returns the volume entities
    per role and the geometry report (areas and fractions in SI units)."""
    mesh, surfaces = read_checked(spec)
    used = np.unique(mesh.tets)
    volumes: dict[str, list[int]] = {}
    first = True
    for k, role in enumerate(VOLUME_ROLES):
        cells = mesh.tets[mesh.tet_role == k]
        if len(cells) == 0:
            continue
        ent = gmsh.model.addDiscreteEntity(3)
        if first:  # all nodes on the first entity: gmsh only needs them to exist once
            gmsh.model.mesh.addNodes(3, ent, used + 1, mesh.points[used].ravel())
            first = False
        gmsh.model.mesh.addElementsByType(ent, TET, [], (cells + 1).ravel())
        gmsh.model.addPhysicalGroup(3, [ent], name=role)
        volumes[role] = [ent]
    for role, tris in surfaces.items():
        ent = gmsh.model.addDiscreteEntity(2)
        gmsh.model.mesh.addElementsByType(ent, TRIANGLE, [], (tris + 1).ravel())
        gmsh.model.addPhysicalGroup(2, [ent], name=role)
    info = _measures(spec, mesh.points, mesh.tets, mesh.tet_role, surfaces)
    return volumes, info


def user_mesh_bundle(
    spec: UserMeshSpec, msh_path: Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshBundle:
    """The user's mesh as a MeshBundle (checked on rank 0, distributed over ``comm``)."""

    def build() -> dict[str, Any]:
        t0 = time.perf_counter()
        gmsh.model.add(spec.path.stem)
        volumes, info = build_user_model(spec)
        info |= quality(volumes)
        if msh_path is not None:
            gmsh.write(str(msh_path))
        info["meshing_seconds"] = time.perf_counter() - t0
        return info

    gaps = {}
    if spec.gap_height is not None:
        h = spec.gap_height
        gaps = dict.fromkeys(tags.GAP_SURFACES, lambda x: np.full(x.shape[1], h))
    return bundle_from_gmsh(build, comm, spec.unit, gap_height=gaps)
