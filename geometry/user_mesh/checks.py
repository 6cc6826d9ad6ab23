"""Checks of a user's mesh before anything is solved on it, each failing with one line.

A solve on a broken mesh fails late and obscurely (a singular matrix, or worse a plausible
but wrong spectrum), so the things that go wrong when meshes travel between tools are
checked up front: degenerate or inverted tetrahedra, coincident but unmerged nodes, interfaces
whose two sides were meshed separately (non-conforming), tagged triangles that are not faces
of the volume mesh, and the roles the solver needs.
"""

from __future__ import annotations

import numpy as np

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.user_mesh.read import TaggedMesh
from eisfem.geometry.user_mesh.spec import SURFACE_ROLES, VOLUME_ROLES, UserMeshSpec

DEGENERATE = 1e-10  # |volume| / (longest edge)³ below this is a flat tetrahedron (roundoff)
LOCAL_FACES = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])


def signed_volumes(points: np.ndarray, tets: np.ndarray) -> np.ndarray:
    p = points[tets]
    a, b, c = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]
    return np.einsum("ij,ij->i", np.cross(a, b), c) / 6.0


def check_cells(mesh: TaggedMesh, name: str) -> None:
    """Refuse flat tetrahedra and folded (inverted) ones.

    Linear tetrahedra may come in either vertex order (formats differ, DOLFINx takes both),
    so "inverted" is judged without orientation: the two tetrahedra on an interior face must
    lie on opposite sides of it; on the same side, one of them is folded over the other.
    """
    vol = signed_volumes(mesh.points, mesh.tets)
    p = mesh.points[mesh.tets]
    edges = np.stack([p[:, i] - p[:, j] for i in range(4) for j in range(i)], axis=1)
    longest = np.linalg.norm(edges, axis=2).max(axis=1)
    flat = np.abs(vol) <= DEGENERATE * longest**3
    if flat.any():
        i = int(np.flatnonzero(flat)[0])
        raise GeometryError(
            f"{name}: {flat.sum()} degenerate (flat) tetrahedra, e.g. cell {i} at "
            f"{np.round(p[i].mean(axis=0), 6).tolist()}"
        )
    faces, local, counts = _faces(mesh.tets)
    # side of the opposite vertex with respect to the face in its sorted (canonical) order
    q = mesh.points[faces[local]]  # (m, 4, 3, 3)
    a, b = q[..., 1, :] - q[..., 0, :], q[..., 2, :] - q[..., 0, :]
    side = np.sign(np.einsum("ijk,ijk->ij", np.cross(a, b), p - q[..., 0, :]))
    order = np.argsort(local.ravel(), kind="stable")
    grouped = side.ravel()[order]
    start = np.cumsum(counts) - counts
    interior = counts == 2
    folded = interior & (grouped[start] == grouped[start + counts - 1])
    if folded.any():
        at = mesh.points[faces[folded][0]].mean(axis=0)
        raise GeometryError(
            f"{name}: {folded.sum()} faces have both their tetrahedra on the same side "
            f"(inverted, folded cells), e.g. at {np.round(at, 6).tolist()}"
        )


def _faces(tets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique sorted faces, the face index of each (tet, local face), and each face's count."""
    f = np.sort(tets[:, LOCAL_FACES].reshape(-1, 3), axis=1)
    faces, inverse, counts = np.unique(f, axis=0, return_inverse=True, return_counts=True)
    return faces, inverse.reshape(-1, 4), counts


def check_conforming(mesh: TaggedMesh, name: str) -> None:
    """Refuse coincident nodes that are not merged and boundary faces lying on each other.

    Both are the marks of regions meshed apart: their shared interface is two surfaces in the
    file, so the solver would see a crack (an insulating cut) instead of an interface.
    """
    used = np.unique(mesh.tets)
    pts = mesh.points[used]
    scale = float(np.ptp(pts, axis=0).max()) or 1.0
    key = np.round(pts / (scale * 1e-9)).astype(np.int64)
    _, first, counts = np.unique(key, axis=0, return_index=True, return_counts=True)
    if (counts > 1).any():
        where = pts[first[counts > 1][0]]
        raise GeometryError(
            f"{name}: not conforming: {int((counts - 1).sum())} nodes coincide with others "
            f"without being merged (e.g. at {np.round(where, 6).tolist()}); merge duplicate "
            "nodes, or mesh all regions together"
        )
    faces, _, counts = _faces(mesh.tets)
    if (counts > 2).any():
        raise GeometryError(f"{name}: {int((counts > 2).sum())} faces are shared by 3+ tetrahedra")
    outer = faces[counts == 1]
    _overlapping_faces(mesh.points, outer, scale, name)


def _overlapping_faces(points: np.ndarray, faces: np.ndarray, scale: float, name: str) -> None:
    """Boundary faces whose centroid lies inside another boundary face: a hanging interface.

    Each face looks for centroids within its own circumradius, so the work stays proportional
    to the number of faces on graded meshes.
    """
    from scipy.spatial import cKDTree

    tri = points[faces]
    centre = tri.mean(axis=1)
    size = np.linalg.norm(tri - centre[:, None], axis=2).max(axis=1)
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    found = cKDTree(centre).query_ball_point(centre, size)
    i = np.repeat(np.arange(len(faces)), [len(f) for f in found])
    j = np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
    i, j = i[i != j], j[i != j]
    # centroid of j on the plane of i, and inside triangle i (barycentric coordinates > 0)
    on_plane = np.abs(np.einsum("ij,ij->i", centre[j] - tri[i, 0], normal[i])) < 1e-9 * scale
    i, j = i[on_plane], j[on_plane]
    e1, e2, d = tri[i, 1] - tri[i, 0], tri[i, 2] - tri[i, 0], centre[j] - tri[i, 0]
    g11, g12, g22 = (np.einsum("ij,ij->i", u, v) for u, v in ((e1, e1), (e1, e2), (e2, e2)))
    r1, r2 = np.einsum("ij,ij->i", d, e1), np.einsum("ij,ij->i", d, e2)
    det = g11 * g22 - g12**2
    u, v = (g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det
    inside = (u > 1e-9) & (v > 1e-9) & (u + v < 1 - 1e-9)
    if inside.any():
        at = np.round(centre[j[inside][0]], 6).tolist()
        raise GeometryError(
            f"{name}: not conforming: {int(inside.sum())} boundary faces lie on other boundary "
            f"faces (an interface meshed from both sides separately, e.g. at {at})"
        )


def _rows(a: np.ndarray) -> np.ndarray:
    """Rows of an (n, 3) int64 array as one structured value each (lexicographic order)."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    return a.view([("a", np.int64), ("b", np.int64), ("c", np.int64)]).ravel()


def surface_facets(mesh: TaggedMesh, spec: UserMeshSpec) -> dict[str, np.ndarray]:
    """Triangles (node triples) of every surface role, exterior faces defaulting to insulating.

    Tagged triangles must be faces of the tetrahedra; faces between a pore and the
    electrolyte (or interphase) are the pore floor unless tagged otherwise.
    """
    faces, local, counts = _faces(mesh.tets)
    role_of = np.full(len(faces), -1)
    tagged = np.sort(mesh.tris, axis=1)
    k = np.minimum(np.searchsorted(_rows(faces), _rows(tagged)), len(faces) - 1)
    missing = np.any(faces[k] != tagged, axis=1)
    if missing.any():
        r = SURFACE_ROLES[mesh.tri_role[missing][0]]
        raise GeometryError(
            f"{spec.where}.surfaces.{r}: {missing.sum()} tagged triangles are not faces of the "
            "tetrahedra (the surface and volume meshes differ)"
        )
    role_of[k] = mesh.tri_role
    exterior = counts == 1
    interior_roles = {SURFACE_ROLES.index(tags.PORE_FLOOR), SURFACE_ROLES.index(tags.CE_PORE_FLOOR)}
    bad = (~exterior) & (role_of >= 0) & ~np.isin(role_of, list(interior_roles))
    if bad.any():
        r = SURFACE_ROLES[role_of[bad][0]]
        raise GeometryError(
            f"{spec.where}.surfaces.{r}: {bad.sum()} triangles lie inside the mesh; "
            "electrode and insulating surfaces must be on its boundary"
        )
    pore = VOLUME_ROLES.index(tags.PORE)
    order = np.argsort(local.ravel(), kind="stable")
    sides = np.repeat(mesh.tet_role, 4)[order]  # volume roles grouped by face
    start = np.cumsum(counts) - counts
    a, b = sides[start], sides[start + counts - 1]  # the two sides (equal on exterior faces)
    floor = (~exterior) & ((a == pore) != (b == pore)) & (role_of < 0)
    role_of[floor] = SURFACE_ROLES.index(tags.PORE_FLOOR)
    role_of[exterior & (role_of < 0)] = SURFACE_ROLES.index(tags.INSULATING)
    out = {r: faces[role_of == k] for k, r in enumerate(SURFACE_ROLES) if (role_of == k).any()}
    _require_roles(out, mesh, spec)
    return out


def _require_roles(surfaces: dict[str, np.ndarray], mesh: TaggedMesh, spec: UserMeshSpec) -> None:
    if VOLUME_ROLES.index(tags.ELECTROLYTE) not in mesh.tet_role:
        raise GeometryError(f"{spec.where}.volumes: no tetrahedra are mapped to electrolyte")
    if not any(r in surfaces for r in tags.WE_SURFACES):
        raise GeometryError(
            f"{spec.where}.surfaces: the working electrode is missing "
            "(map a tag to we_contact or we_metal)"
        )
    if not any(r in surfaces for r in tags.CE_SURFACES):
        raise GeometryError(
            f"{spec.where}.surfaces: the counter electrode is missing (map a tag to ce)"
        )
    if any(r in surfaces for r in tags.GAP_SURFACES) and spec.gap_height is None:
        raise GeometryError(f"{spec.where}.gap_height is required when we_gap or ce_gap is mapped")
