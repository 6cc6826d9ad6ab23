"""Local refinement of a distributed straight tetrahedral mesh that stays local.

DOLFINx refines tetrahedra by Plaza's algorithm, which closes a refinement by marking the
longest edge of every face that has a marked edge. On gmsh's graded meshes that closure runs
far: on a disk contact in a pellet one marked cell became 1,289 new cells and 280 marked cells
(half of the estimated error) 24,373, so an adaptive mesh was hardly sparser than a uniformly
refined one. Here no closure is needed: every marked edge is bisected at its midpoint, and each
cell is cut at the midpoints of its marked edges one after another, longest edge first, in one
order of edges every rank agrees on (length, then the global number of the midpoint). A face
shared by two cells is then cut the same way from both sides (the cuts of a face depend only
on its own marked edges and that order), so the mesh stays conforming for any set of marked
edges. Besides the edges of the marked cells, the longest edge of every cell they touch is
marked, so each touched cell is first cut across its longest edge (shape quality).
Measured on the same disk contact: 280 marked cells become 6,661 new cells (Plaza: 24,373);
the 1 % quantile of the cells' shape measure falls from 0.29 (gmsh) to 0.19 after three
adaptive passes (Plaza: 0.26), its minimum from 0.23 to 0.03.

New vertices are the edge midpoints, numbered as the edge dofs of a P2 space on the coarse mesh
(owned and contiguous per rank, shared edges agreed across ranks), so the refined mesh is built
by ``create_mesh`` with every child on its parent's rank; no rank sees more than its part.
"""

from __future__ import annotations

import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.graph import adjacencylist

EDGES = [(2, 3), (1, 3), (1, 2), (0, 3), (0, 2), (0, 1)]  # DOLFINx's (basix's) edge order
EDGE_OF = np.full((4, 4), -1)
for _e, (_a, _b) in enumerate(EDGES):
    EDGE_OF[_a, _b] = EDGE_OF[_b, _a] = _e
PAIRS = np.array([(i, j) for i in range(4) for j in range(i + 1, 4)])  # the six of a work tet


def _sync(marks: dolfinx.la.Vector) -> None:
    """A mark set on any rank's copy of an edge holds on every rank that has the edge."""
    marks.scatter_reverse(dolfinx.la.InsertMode.add)
    owned = marks.array[: marks.index_map.size_local]
    owned[:] = owned > 0
    marks.scatter_forward()


def _marked(
    space: fem.FunctionSpace, edge_dofs: np.ndarray, rank: np.ndarray, cells: np.ndarray | None
) -> np.ndarray:
    """Which of the six edges of every owned cell are bisected, on every rank that has them:
    the edges of ``cells`` (all when None), and the longest edge of every cell touched by
    them, so that each touched cell is first cut across its longest edge (shape quality)."""
    marks = dolfinx.la.vector(space.dofmap.index_map)
    marks.array[:] = 0
    marks.array[edge_dofs if cells is None else edge_dofs[cells]] = 1
    _sync(marks)
    touched = np.flatnonzero((marks.array[edge_dofs] > 0).any(axis=1))
    marks.array[edge_dofs[touched, rank[touched].argmax(axis=1)]] = 1
    _sync(marks)
    return marks.array[edge_dofs] > 0


def _order(x: np.ndarray, dofs: np.ndarray, global_dofs: np.ndarray) -> np.ndarray:
    """Rank of each cell edge in one order every rank agrees on: longest first, ties broken by
    the global number of its midpoint."""
    ends = np.array(EDGES)
    length = np.linalg.norm(x[dofs[:, ends[:, 0]]] - x[dofs[:, ends[:, 1]]], axis=-1)
    key = np.lexsort((global_dofs[dofs[:, 4:]].ravel(), length.ravel()))
    rank = np.empty(key.size, dtype=np.int64)
    rank[key] = np.arange(key.size)
    return rank.reshape(-1, 6)


def _bisect(marked: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children (local nodes 0–9 of their parent) and parents: each cell bisected at the
    midpoints of its marked edges, the highest-ranked edge of a piece first."""
    tets = np.tile(np.arange(4), (len(marked), 1))
    parent = np.arange(len(marked))
    done_tets, done_parents = [], []
    while len(tets):
        a, b = tets[:, PAIRS[:, 0]], tets[:, PAIRS[:, 1]]  # (pieces, 6) node pairs
        corner = (a < 4) & (b < 4)
        edge = np.where(corner, EDGE_OF[np.minimum(a, 3), np.minimum(b, 3)], 0)
        rows = parent[:, None]
        cut = corner & marked[rows, edge]
        score = np.where(cut, rank[rows, edge], -1)
        best = score.argmax(axis=1)
        split = cut.any(axis=1)
        done_tets.append(tets[~split])
        done_parents.append(parent[~split])
        tets, parent, best = tets[split], parent[split], best[split]
        i = np.arange(len(tets))
        mid = 4 + edge[split][i, best]
        first, second = tets.copy(), tets.copy()
        first[i, PAIRS[best, 0]] = mid
        second[i, PAIRS[best, 1]] = mid
        tets = np.concatenate([first, second])
        parent = np.concatenate([parent, parent])
    return np.concatenate(done_tets), np.concatenate(done_parents)


def _keep_on_rank(rank: int):
    """A cell partitioner that leaves every cell on the rank that created it."""

    def partition(_comm, _nparts, _types, cells):
        return adjacencylist(np.full(len(cells[0]) // 4, rank, dtype=np.int32))._cpp_object

    return partition


def refine_marked(
    mesh: dolfinx.mesh.Mesh, cells: np.ndarray | None
) -> tuple[dolfinx.mesh.Mesh, np.ndarray]:
    """``mesh`` (straight tetrahedra) with every edge of the owned ``cells`` (all when None)
    bisected, and the parent (a local cell of ``mesh``) of each local cell of the refined mesh,
    in its order."""
    space = fem.functionspace(mesh, ("Lagrange", 2))
    n = mesh.topology.index_map(3).size_local
    dofs = space.dofmap.list[:n]
    imap = space.dofmap.index_map
    node = imap.local_to_global(np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32))
    x = space.tabulate_dof_coordinates()
    rank = _order(x, dofs, node)
    local, parent = _bisect(_marked(space, dofs[:, 4:], rank, cells), rank)
    domain = ufl.Mesh(mesh.ufl_domain().ufl_coordinate_element())
    fine = dolfinx.mesh.create_mesh(
        mesh.comm,
        node[dofs[parent[:, None], local]],
        domain,
        x[: imap.size_local],
        partitioner=_keep_on_rank(mesh.comm.rank) if mesh.comm.size > 1 else None,
    )
    offset = mesh.comm.exscan(len(parent)) or 0
    n_fine = fine.topology.index_map(3).size_local
    return fine, parent[np.asarray(fine.topology.original_cell_index)[:n_fine] - offset]
