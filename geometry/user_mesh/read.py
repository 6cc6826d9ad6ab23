"""Read a user's volume mesh with meshio and resolve its tags to eisfem roles.

meshio reads Gmsh, VTU, MED, Abaqus, Exodus and more into one structure: points, blocks of
cells, per-block cell data (region numbers) and, depending on the format, names for those
numbers (Gmsh field data) or named cell sets (Abaqus, MED). Everything here is turned into
flat arrays: tetrahedra with a volume role each and tagged boundary triangles with a surface
role each. Every mismatch between the mapping and the file is one line naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eisfem.core.errors import GeometryError
from eisfem.geometry.user_mesh.spec import SURFACE_ROLES, VOLUME_ROLES, Tag, UserMeshSpec

TAG_FIELDS = ("gmsh:physical", "medit:ref", "cell_tags", "CellEntityIds", "region")
SOLID_TYPES = {"tetra": 4}
FACE_TYPES = {"triangle": 3}
SOLID_FAMILIES = ("tetra", "hexahedron", "wedge", "pyramid")


def _is_solid(cell_type: str) -> bool:
    return cell_type.lower().removeprefix("vtk_lagrange_").startswith(SOLID_FAMILIES)


@dataclass
class TaggedMesh:
    """Flat arrays of a read mesh, roles as indices into the role tuples of the spec module."""

    points: np.ndarray  # (n, 3) float64, mesh units
    tets: np.ndarray  # (m, 4) int64
    tet_role: np.ndarray  # (m,) index into VOLUME_ROLES
    tris: np.ndarray  # (k, 3) int64, tagged triangles only
    tri_role: np.ndarray  # (k,) index into SURFACE_ROLES


def _tag_field(mesh, spec: UserMeshSpec) -> str | None:
    arrays = [k for k, v in mesh.cell_data.items() if np.issubdtype(v[0].dtype, np.integer)]
    if spec.tag_field is not None:
        if spec.tag_field not in mesh.cell_data:
            found = ", ".join(sorted(mesh.cell_data)) or "none"
            raise GeometryError(
                f"{spec.where}.tag_field: no cell data '{spec.tag_field}' in {spec.path.name} "
                f"(it has: {found})"
            )
        return spec.tag_field
    known = [k for k in TAG_FIELDS if k in arrays]
    if known:
        return known[0]
    return arrays[0] if len(arrays) == 1 else None


def _selectors(mesh, spec: UserMeshSpec, field: str | None, kind: str, tag: Tag) -> list:
    """Per block, a boolean mask of the cells carrying ``tag`` (a number or a name)."""
    where = f"{spec.where}.{kind}"
    names = {k: int(v[0]) for k, v in mesh.field_data.items()}
    if isinstance(tag, str) and tag in mesh.cell_sets:
        sets = mesh.cell_sets[tag]
        out = []
        for block, idx in zip(mesh.cells, sets, strict=True):
            mask = np.zeros(len(block.data), dtype=bool)
            mask[np.asarray(idx, dtype=np.int64)] = True
            out.append(mask)
        return out
    number = names.get(tag) if isinstance(tag, str) else tag
    numbers = (
        set() if field is None else {int(t) for a in mesh.cell_data[field] for t in np.unique(a)}
    )
    if number is None or number not in numbers:
        available = sorted(names) + sorted(k for k in mesh.cell_sets if not k.startswith("gmsh:"))
        listed = ", ".join(map(str, available + sorted(numbers))) or "none (give cell.tag_field)"
        raise GeometryError(f"{where}: unknown tag {tag!r} in {spec.path.name} (tags: {listed})")
    return [np.asarray(a) == number for a in mesh.cell_data[field]]


def _roles(mesh, spec, field, kind, roles, types) -> tuple[np.ndarray, np.ndarray]:
    """Cells of the given types and their role index (-1: no role), refusing double roles."""
    mapping = spec.volumes if kind == "volumes" else spec.surfaces
    blocks = [i for i, b in enumerate(mesh.cells) if b.type in types]
    cells = [mesh.cells[i].data.astype(np.int64) for i in blocks]
    role = [np.full(len(c), -1) for c in cells]
    for name, tag_list in mapping.items():
        if name not in roles:
            raise GeometryError(
                f"{spec.where}.{kind}: unknown role '{name}' (roles: {', '.join(roles)})"
            )
        for tag in tag_list:
            masks = _selectors(mesh, spec, field, kind, tag)
            hits = 0
            for j, i in enumerate(blocks):
                m = masks[i]
                twice = m & (role[j] >= 0) & (role[j] != roles.index(name))
                if twice.any():
                    other = roles[role[j][twice][0]]
                    raise GeometryError(
                        f"{spec.where}.{kind}.{name}: tag {tag!r} also belongs to '{other}'"
                    )
                role[j][m] = roles.index(name)
                hits += int(m.sum())
            if hits == 0:
                raise GeometryError(
                    f"{spec.where}.{kind}.{name}: tag {tag!r} has no "
                    f"{'tetrahedra' if kind == 'volumes' else 'triangles'} in {spec.path.name}"
                )
    if not cells:
        return np.empty((0, next(iter(types.values()))), np.int64), np.empty(0, np.int64)
    return np.concatenate(cells), np.concatenate(role)


def read_user_mesh(spec: UserMeshSpec) -> TaggedMesh:
    """Read ``spec.path`` and attach roles; refuses unsupported cells and unmapped tets."""
    import meshio

    try:
        mesh = meshio.read(spec.path)
    except (Exception, SystemExit) as exc:  # meshio raises many types, or exits (bad files)
        why = str(exc) if isinstance(exc, Exception) else "not a valid file of its type"
        raise GeometryError(
            f"{spec.where}.path: meshio cannot read {spec.path.name} ({why})"
        ) from None
    solids = sorted({b.type for b in mesh.cells if _is_solid(b.type)} - set(SOLID_TYPES))
    if solids:
        raise GeometryError(
            f"{spec.path.name}: cells of type {', '.join(solids)} are not supported "
            "(linear tetrahedra only: convert the mesh, e.g. in Gmsh)"
        )
    field = _tag_field(mesh, spec)
    tets, tet_role = _roles(mesh, spec, field, "volumes", VOLUME_ROLES, SOLID_TYPES)
    tris, tri_role = _roles(mesh, spec, field, "surfaces", SURFACE_ROLES, FACE_TYPES)
    if len(tets) == 0:
        raise GeometryError(f"{spec.path.name}: the mesh has no tetrahedra")
    if (tet_role < 0).any():
        raise GeometryError(
            f"{spec.where}.volumes: {(tet_role < 0).sum()} of {len(tets)} tetrahedra have no role "
            "(map every volume tag to electrolyte, pore or interphase)"
        )
    keep = tri_role >= 0
    points = np.asarray(mesh.points, dtype=np.float64)
    if points.shape[1] != 3:
        raise GeometryError(
            f"{spec.path.name}: the mesh must be 3D (its points have {points.shape[1]} coordinates)"
        )
    return TaggedMesh(points, tets, tet_role, tris[keep], tri_role[keep])
