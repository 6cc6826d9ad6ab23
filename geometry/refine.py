"""Refine a distributed second-order (curved) mesh and keep its curved geometry exactly.

DOLFINx refines affine meshes only (``dolfinx.mesh.refine`` fails on our P2 geometry), and gmsh
meshes the coarse mesh on one rank only. So each rank refines its part in three steps:

1. the vertex (P1) mesh on the same topology is refined by bisecting the edges of the marked
   cells (``geometry/bisection``: conforming across ranks without Plaza's far-reaching
   closure), which also gives each child its parent cell;
2. each node of a child's second-order geometry (its vertices and edge midpoints, straight)
   is mapped to the parent's reference coordinates by the parent's affine vertex map and
   lifted by the parent's own quadratic map; a node inside a face or an edge of its parent
   that lies on one of the model's analytic curves or surfaces (``geometry/analytic``: the
   cylinders, spheres, spheroids and circles gmsh meshed) is then projected onto it, so
   refined walls, rims and caps converge to the true ones (their area errors fall 16× per
   uniform refinement) instead of keeping the coarse mesh's quadratic surface. The mesh stays
   conforming: a node's lift and its entities depend only on the nodes of the face or edge it
   lies in, which both neighbours share;
3. the P2-geometry mesh is created from those nodes with a global numbering (the P2 dofs of
   the refined vertex mesh: owned vertices and edges of each rank, contiguous) and
   repartitioned by DOLFINx's graph partitioner (local refinement unbalances the ranks);
   cell and facet tags follow through the parent maps and are handed to the ranks that own
   the entities by their global nodes, the road ``dolfinx.io.gmsh`` takes.

No rank ever holds more than its share of the fine mesh. A surface that fits no analytic entity
(a B-spline, a user's mesh) keeps the coarse quadratic surface, within 1e-4 of its area.
"""

from __future__ import annotations

import dataclasses

import basix
import basix.ufl
import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.graph import adjacencylist
from dolfinx.io.utils import distribute_entity_data
from dolfinx.mesh import CellType

from eisfem.core.errors import GeometryError
from eisfem.geometry.analytic import AnalyticEntity, project
from eisfem.geometry.bisection import refine_marked
from eisfem.geometry.mesh import MeshBundle

TET = 3  # topological dimension: every cell a tetrahedron
INSIDE = 1e-9  # tolerance of reference coordinates (on a facet, inside a cell)
SNAP_LIMIT = 0.05  # a snap moves a node O(h³) off; more than this × its parent's edge is a bug


def vertex_mesh(mesh: dolfinx.mesh.Mesh) -> dolfinx.mesh.Mesh:
    """The straight (P1) mesh on the same topology: same cells, vertices, ranks and indices."""
    topology = mesh.topology
    vertices = topology.index_map(0)
    n = vertices.size_local + vertices.num_ghosts
    topology.create_connectivity(TET, 0)
    cells = topology.connectivity(TET, 0).array.reshape(-1, 4)
    nodes = np.empty(n, dtype=np.int32)  # geometry node of each vertex: the cells' first four
    nodes[cells] = mesh.geometry.dofmaps[0][:, :4]
    element = fem.coordinate_element(CellType.tetrahedron, 1)
    geometry = dolfinx.mesh.create_geometry(
        vertices,
        cells,
        element,
        np.ascontiguousarray(mesh.geometry.x[nodes]),
        vertices.local_to_global(np.arange(n, dtype=np.int32)),
    )
    cpp = type(mesh._cpp_object)(mesh.comm, topology._cpp_object, geometry._cpp_object)
    return dolfinx.mesh.Mesh(cpp, ufl.Mesh(element_p1()))


def element_p1():
    return basix.ufl.element("Lagrange", "tetrahedron", 1, shape=(3,))


def _reference(straight: dolfinx.mesh.Mesh, parents: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Reference coordinates in each cell's parent of points ``x`` (cells, points, 3)."""
    corners = straight.geometry.x[straight.geometry.dofmaps[0][parents]]
    jacobian = np.transpose(corners[:, 1:] - corners[:, :1], (0, 2, 1))  # columns: edges
    ref = np.linalg.solve(jacobian[:, None], (x - corners[:, :1])[..., None])[..., 0]
    bary = np.concatenate([1 - ref.sum(-1, keepdims=True), ref], axis=-1)
    if bary.size and bary.min() < -INSIDE:  # a wrong parent map would corrupt the geometry
        raise GeometryError("refinement: a child cell lies outside its parent cell")
    return ref


def _lift(parent_nodes: np.ndarray, ref: np.ndarray, degree: int) -> np.ndarray:
    """Curved positions of points at reference coordinates ``ref`` (cells, points, 3) of the
    parents' quadratic geometry maps (``parent_nodes``: their nodes, (cells, 10, 3))."""
    phi = _geometry_element(degree).tabulate(0, ref.reshape(-1, 3))[0, :, :, 0]
    return np.einsum("cpk,ckd->cpd", phi.reshape(*ref.shape[:2], -1), parent_nodes)


def _geometry_element(degree: int) -> basix.finite_element.FiniteElement:
    """The coordinate element: gmsh's equispaced nodes, in DOLFINx's order."""
    return basix.create_element(
        basix.ElementFamily.P, basix.CellType.tetrahedron, degree, basix.LagrangeVariant.equispaced
    )


def _sub_entity_nodes(degree: int) -> tuple[np.ndarray, list[int]]:
    """For each pattern of zero barycentric coordinates (bit j: coordinate j is zero), the
    parent's geometry nodes on the face or edge the pattern puts a point inside (an edge's
    repeated to the width of a face's), and the patterns that do: a table of 16 rows."""
    closure = _geometry_element(degree).entity_closure_dofs
    table = np.zeros((16, len(closure[2][0])), dtype=int)
    patterns = [1 << j for j in range(4)]  # face j: opposite vertex j
    table[patterns] = closure[2]
    for e, (a, b) in enumerate(basix.topology(basix.CellType.tetrahedron)[1]):
        patterns.append(0b1111 & ~((1 << a) | (1 << b)))
        table[patterns[-1]] = np.resize(closure[1][e], table.shape[1])
    return table, patterns


def _snap(
    x: np.ndarray,
    dofs: np.ndarray,
    bary: np.ndarray,
    parent_nodes: np.ndarray,
    degree: int,
    entities: tuple[AnalyticEntity, ...],
) -> None:
    """Move the new nodes ``x[dofs]`` that lie inside a face or an edge of their parent onto
    the analytic entities that face or edge lies on (all of its coarse nodes on the entity),
    so a refined curved wall, rim or cap converges to the true one instead of keeping the
    coarse quadratic surface. ``bary`` (cells, nodes, 4): the nodes' barycentric coordinates
    in their parents; ``parent_nodes`` (cells, nodes, 3): the parents' geometry nodes."""
    table, patterns = _sub_entity_nodes(degree)
    mask = ((np.abs(bary) < INSIDE) * (1 << np.arange(4))).sum(-1)
    cell, node = np.nonzero(np.isin(mask, patterns))
    first = np.unique(dofs[cell, node], return_index=True)[1]  # each node once
    cell, node = cell[first], node[first]
    sub = parent_nodes[cell[:, None], table[mask[cell, node]]]  # (points, face nodes, 3)
    found = [np.flatnonzero(entity.contains(sub)) for entity in entities]
    moved = np.unique(np.concatenate(found))
    if not moved.size:
        return
    where = dofs[cell[moved], node[moved]]
    members = [np.searchsorted(moved, on) for on in found]
    snapped = project(x[where], members, list(entities))
    size = np.linalg.norm(parent_nodes[cell[moved], 1] - parent_nodes[cell[moved], 0], axis=-1)
    if np.any(np.linalg.norm(snapped - x[where], axis=-1) > SNAP_LIMIT * size):
        raise GeometryError("refinement: a new node is far from the curved surface it lies on")
    x[where] = snapped


def _tags(mesh, dim: int, entities: np.ndarray, values: np.ndarray) -> dolfinx.mesh.MeshTags:
    """Tags of ``entities`` (rows of global input nodes, given on any rank) on ``mesh``."""
    local, local_values = distribute_entity_data(mesh, dim, entities, values)
    mesh.topology.create_connectivity(dim, TET)
    return dolfinx.mesh.meshtags_from_entities(
        mesh, dim, adjacencylist(local), local_values.astype(np.int32, copy=False)
    )


def _facet_values(mesh: dolfinx.mesh.Mesh, facet_tags: dolfinx.mesh.MeshTags) -> np.ndarray:
    """The tag of every local facet (0: none), the same on every rank that has the facet."""
    imap = mesh.topology.index_map(TET - 1)
    value, count = (dolfinx.la.vector(imap) for _ in range(2))
    value.array[facet_tags.indices] = facet_tags.values
    count.array[facet_tags.indices] = 1
    for v in (value, count):
        v.scatter_reverse(dolfinx.la.InsertMode.add)
    owned = value.array[: imap.size_local]
    np.divide(owned, count.array[: imap.size_local], out=owned, where=owned != 0)
    value.scatter_forward()
    return np.rint(value.array).astype(np.int32)


def _child_facets(coarse, fine, parents, bary, values) -> tuple[np.ndarray, np.ndarray]:
    """(cell, local facet) of the owned fine facets that lie on tagged coarse facets, and
    their tags: child facet i (opposite vertex i) lies on parent facet j when the
    barycentric coordinate j of its three vertices is zero."""
    coarse.topology.create_connectivity(TET, TET - 1)
    parent_facets = coarse.topology.connectivity(TET, TET - 1).array.reshape(-1, 4)
    zero = np.abs(bary) < INSIDE  # (cells, 4 vertices, 4 parent facets)
    others = ~np.eye(4, dtype=bool)
    on = np.stack([zero[:, others[i]].all(axis=1) for i in range(4)], axis=1)  # (c, i, j)
    cell, local, j = np.nonzero(on)
    tag = values[parent_facets[parents[cell], j]]
    cell, local, tag = cell[tag > 0], local[tag > 0], tag[tag > 0]
    fine.topology.create_connectivity(TET, TET - 1)
    facet = fine.topology.connectivity(TET, TET - 1).array.reshape(-1, 4)[cell, local]
    keep = np.unique(facet, return_index=True)[1]  # each facet once (two cells share it)
    keep = keep[facet[keep] < fine.topology.index_map(TET - 1).size_local]  # and on one rank
    return np.stack([cell[keep], local[keep]], axis=1), tag[keep]


def refine_bundle(bundle: MeshBundle, cells: np.ndarray | None = None) -> MeshBundle:
    """``bundle`` with the local ``cells`` (all when None) and the closure refined by bisection.

    Every tag, the groups and the thin-gap height maps carry over; ``info`` gets the new
    cell count.
    """
    coarse = bundle.mesh
    if coarse.topology.cell_type != CellType.tetrahedron:
        raise GeometryError("adaptive refinement needs a tetrahedral mesh (no prisms, hexahedra)")
    straight = vertex_mesh(coarse)
    fine, parents = refine_marked(straight, cells)
    degree = coarse.geometry.cmaps[0].degree
    V = fem.functionspace(fine, ("Lagrange", degree))
    dofs = V.dofmap.list  # vertices, then edges: the nodes of the coordinate element
    ref = _reference(straight, parents, V.tabulate_dof_coordinates()[dofs])
    imap = V.dofmap.index_map
    x = np.empty((imap.size_local + imap.num_ghosts, 3))
    parent_nodes = coarse.geometry.x[coarse.geometry.dofmaps[0][parents]]
    x[dofs] = _lift(parent_nodes, ref, degree)
    bary = np.concatenate([1 - ref.sum(-1, keepdims=True), ref], axis=-1)
    if bundle.surfaces:
        _snap(x, dofs, bary, parent_nodes, degree, bundle.surfaces)
    node = imap.local_to_global(np.arange(len(x), dtype=np.int32))  # global input node numbers
    # a new UFL domain: one carries its mesh (sharing the coarse one's corrupts both)
    domain = ufl.Mesh(coarse.ufl_domain().ufl_coordinate_element())
    mesh = dolfinx.mesh.create_mesh(coarse.comm, node[dofs], domain, x[: imap.size_local])
    cell_values = np.zeros(coarse.topology.index_map(TET).size_local, dtype=np.int32)
    cell_values[bundle.cell_tags.indices] = bundle.cell_tags.values
    cell_tags = _tags(mesh, TET, node[dofs], cell_values[parents])
    where, values = _child_facets(
        coarse, fine, parents, bary[:, :4], _facet_values(coarse, bundle.facet_tags)
    )
    closure = np.array([V.dofmap.dof_layout.entity_closure_dofs(TET - 1, i) for i in range(4)])
    facet_nodes = node[dofs[where[:, 0, None], closure[where[:, 1]]]]
    facet_tags = _tags(mesh, TET - 1, facet_nodes, values)
    info = bundle.info | {"cells": mesh.topology.index_map(TET).size_global}
    return dataclasses.replace(
        bundle, mesh=mesh, cell_tags=cell_tags, facet_tags=facet_tags, info=info
    )
