"""A user's mesh: roles from tags (numbers and names), and the checks that refuse broken meshes
in one line before anything is solved (no gmsh: meshes are made with NumPy and meshio)."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.user_mesh.model import read_checked
from eisfem.geometry.user_mesh.spec import UserMeshSpec

# Kuhn subdivision of a cube into 6 tetrahedra (conforming across neighbouring cubes)
KUHN = [(0, 1, 3, 7), (0, 1, 5, 7), (0, 2, 3, 7), (0, 2, 6, 7), (0, 4, 5, 7), (0, 4, 6, 7)]
VOLUMES = {"electrolyte": [1], "pore": [2]}
SURFACES = {"ce": [3], "we_contact": [4], "we_metal": [5]}


def box(n: int = 4):
    """Unit cube of n³ cubes: electrolyte below z = 1/2, one pore cube column above on a corner
    quarter (x, y < 1/2) under the metal at z = 1; tagged CE (z = 0) and WE (z = 1) faces."""
    g = np.linspace(0.0, 1.0, n + 1)
    pts = np.array(np.meshgrid(g, g, g, indexing="ij")).reshape(3, -1).T
    idx = np.arange((n + 1) ** 3).reshape(n + 1, n + 1, n + 1)
    tets = []
    for i in range(n):
        for j in range(n):
            for k in range(n):
                corner = [idx[i + a, j + b, k + c] for c in (0, 1) for b in (0, 1) for a in (0, 1)]
                tets += [[corner[v] for v in t] for t in KUHN]
    tets = np.array(tets)
    c = pts[tets].mean(axis=1)
    region = np.where((c[:, 2] > 0.5) & (c[:, 0] < 0.5) & (c[:, 1] < 0.5), 2, 1)
    faces = np.sort(tets[:, [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]].reshape(-1, 3), axis=1)
    uniq, counts = np.unique(faces, axis=0, return_counts=True)
    outer = uniq[counts == 1]
    fc = pts[outer].mean(axis=1)
    bottom, top = np.isclose(fc[:, 2], 0.0), np.isclose(fc[:, 2], 1.0)
    over_pore = top & (fc[:, 0] < 0.5) & (fc[:, 1] < 0.5)
    tris = np.concatenate([outer[bottom], outer[top & ~over_pore], outer[over_pore]])
    tri_tag = np.concatenate(
        [
            np.full(bottom.sum(), 3),
            np.full((top & ~over_pore).sum(), 4),
            np.full(over_pore.sum(), 5),
        ]
    )
    return pts, tets, region, tris, tri_tag


def write(path: Path, pts, tets, region, tris, tri_tag, **kw) -> Path:
    mesh = meshio.Mesh(
        pts,
        [("tetra", tets), ("triangle", tris)],
        cell_data={"gmsh:physical": [region, tri_tag]},
        **kw,
    )
    meshio.write(path, mesh)
    return path


def spec(path: Path, **kw) -> UserMeshSpec:
    return UserMeshSpec(path, 1e-6, kw.pop("volumes", VOLUMES), kw.pop("surfaces", SURFACES), **kw)


def test_roles_from_numbers(tmp_path):
    pts, tets, region, tris, tri_tag = box()
    mesh, surfaces = read_checked(spec(write(tmp_path / "m.vtu", pts, tets, region, tris, tri_tag)))
    assert np.bincount(mesh.tet_role).tolist()[:2] == [(region == 1).sum(), (region == 2).sum()]
    # floor of the pore found by itself: the quarter of z = 1/2 under the pore (2 triangles
    # per 1/4 × 1/4 square, 2 × 2 squares), walls of the pore inside the cube: 2 × 2 × 4 squares
    assert len(surfaces[tags.PORE_FLOOR]) == 2 * 4 + 2 * 2 * 2 * 2
    assert len(surfaces[tags.CE]) == 2 * 16
    # untagged outer faces: the four side walls
    assert len(surfaces[tags.INSULATING]) == 4 * 2 * 16


def test_roles_from_names(tmp_path):
    """Gmsh files carry names for their physical numbers; they map like numbers."""
    pts, tets, region, tris, tri_tag = box()
    names = {"solid": [1, 3], "void": [2, 3], "bottom": [3, 2], "top": [4, 2], "roof": [5, 2]}
    path = tmp_path / "m.msh"
    mesh = meshio.Mesh(
        pts,
        [("tetra", tets), ("triangle", tris)],
        cell_data={"gmsh:physical": [region, tri_tag], "gmsh:geometrical": [region, tri_tag]},
        field_data={k: np.array(v) for k, v in names.items()},
    )
    meshio.write(path, mesh, file_format="gmsh22")
    by_name = spec(
        path,
        volumes={"electrolyte": ["solid"], "pore": ["void"]},
        surfaces={"ce": ["bottom"], "we_contact": ["top"], "we_metal": ["roof"]},
    )
    by_number = spec(write(tmp_path / "m.vtu", pts, tets, region, tris, tri_tag))
    a, b = read_checked(by_name)[1], read_checked(by_number)[1]
    assert a.keys() == b.keys()
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"volumes": {"electrolyte": [1]}}, "have no role"),
        ({"volumes": {"electrolyte": [1], "pore": [9]}}, "unknown tag 9"),
        ({"surfaces": {"we_contact": [4], "we_metal": [5]}}, "counter electrode is missing"),
        ({"surfaces": {"ce": [3]}}, "working electrode is missing"),
        ({"surfaces": {"ce": [3], "we_contact": [4, 3]}}, "also belongs to 'ce'"),
        ({"surfaces": {"ce": [3], "we_contact": [4], "we_gap": [5]}}, "gap_height is required"),
        ({"tag_field": "material"}, "no cell data 'material'"),
    ],
)
def test_mapping_refused(tmp_path, change, message):
    path = write(tmp_path / "m.vtu", *box())
    with pytest.raises(GeometryError, match=message) as err:
        read_checked(spec(path, **change))
    assert "\n" not in str(err.value)


def test_broken_meshes_refused(tmp_path):
    pts, tets, region, tris, tri_tag = box()
    folded = pts.copy()
    node = np.flatnonzero(np.all(np.isclose(pts, 0.25), axis=1))[0]
    folded[node, 2] = 0.6  # an interior node pushed through its neighbours
    flat = pts.copy()
    flat[tets[0, 3]] = pts[tets[0, :3]].mean(axis=0)  # a vertex on the opposite face
    # the pore meshed apart: its nodes duplicated, so the floor is two surfaces (a crack)
    dup = tets.copy()
    dup[region == 2] += len(pts)
    cases = [
        ((folded, tets, region, tris, tri_tag), "inverted, folded cells"),
        ((flat, tets, region, tris, tri_tag), "degenerate"),
        ((np.vstack([pts, pts]), dup, region, tris, tri_tag), "not conforming"),
        ((pts, tets, region, tris[:, [0, 1, 1]] * 0 + [[0, 1, 2]], tri_tag), "not faces"),
    ]
    for k, (arrays, message) in enumerate(cases):
        path = write(tmp_path / f"m{k}.vtu", *arrays)
        with pytest.raises(GeometryError, match=message) as err:
            read_checked(spec(path))
        assert "\n" not in str(err.value)


def test_hanging_interface_refused(tmp_path):
    """Two regions meshed apart with different resolutions: faces lie on faces (a T-joint)."""
    a = box(2)
    b = box(4)
    lower = a[1][a[0][a[1]].mean(axis=1)[:, 2] < 0.5]
    upper = b[1][b[0][b[1]].mean(axis=1)[:, 2] > 0.5] + len(a[0])
    pts, merged = np.unique(np.round(np.vstack([a[0], b[0]]), 12), axis=0, return_inverse=True)
    tets = merged.ravel()[np.concatenate([lower, upper])]  # coincident nodes merged
    used = np.unique(tets)
    keep = np.full(len(pts), -1)
    keep[used] = np.arange(len(used))
    tets = keep[tets]
    region = np.ones(len(tets), dtype=int)
    faces = np.sort(tets[:, [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]].reshape(-1, 3), axis=1)
    uniq, counts = np.unique(faces, axis=0, return_counts=True)
    outer = uniq[counts == 1]
    z = pts[used][outer].mean(axis=1)[:, 2]
    tris = np.concatenate([outer[np.isclose(z, 0)], outer[np.isclose(z, 1)]])
    tag = np.repeat([3, 4], [np.isclose(z, 0).sum(), np.isclose(z, 1).sum()])
    path = write(tmp_path / "h.vtu", pts[used], tets, region, tris, tag)
    s = spec(path, volumes={"electrolyte": [1]}, surfaces={"ce": [3], "we_contact": [4]})
    with pytest.raises(GeometryError, match="boundary faces lie on other boundary faces"):
        read_checked(s)


def test_other_cell_types_refused(tmp_path):
    path = tmp_path / "hex.vtu"
    pts = np.array([[x, y, z] for z in (0, 1) for y in (0, 1) for x in (0, 1)], dtype=float)
    meshio.write(path, meshio.Mesh(pts, [("hexahedron", np.array([[0, 1, 3, 2, 4, 5, 7, 6]]))]))
    with pytest.raises(GeometryError, match="hexahedron are not supported"):
        read_checked(spec(path))
