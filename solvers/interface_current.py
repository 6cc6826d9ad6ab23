"""Normal current density through the working-electrode interface, facet by facet.

The shared input of focusing metrics and interface current maps: for every owned facet of the
named groups (by default the electrolyte's face under the working electrode: contact, pore
floors, thin-gap footprints) the centroid, area, unit normal and the complex normal current
density j_n = j·n (A/m², positive into the electrolyte), taken from the electrolyte-side cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from dolfinx.mesh import entities_to_geometry

from eisfem.geometry import tags
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.system import Solution

WE_INTERFACE = (tags.WE_CONTACT, tags.PORE_FLOOR, tags.WE_GAP)
CONDUCTING_VOLUMES = (tags.ELECTROLYTE, tags.INTERPHASE)


@dataclass
class InterfaceCurrent:
    group: np.ndarray  # facet tag value of each facet
    centroid: np.ndarray  # (n, 3), metres
    area: np.ndarray  # (n,), m²
    normal: np.ndarray  # (n, 3), unit, pointing into the electrolyte
    jn: np.ndarray  # (n,), complex normal current density into the electrolyte, A/m²
    vertices: np.ndarray  # (n, 3, 3), triangle corners, metres (for maps and renders)


def _facet_geometry(
    mesh, facets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Corners, centroids, areas and unit normals (unoriented) of triangular facets."""
    nodes = entities_to_geometry(mesh, 2, facets.astype(np.int32))
    tri = mesh.geometry.x[nodes[:, :3]]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    area = 0.5 * np.linalg.norm(cross, axis=1)
    return tri, tri.mean(axis=1), area, cross / (2 * area[:, None])


def interface_current(
    spaces: FieldSpaces, solution: Solution, groups: Sequence[str] = WE_INTERFACE
) -> InterfaceCurrent:
    """Normal current density on the owned facets of ``groups`` for ``solution``."""
    bundle = spaces.system.bundle
    mesh = bundle.mesh
    j = spaces.current_density(solution).x.array.reshape(-1, 3)
    values = [bundle.groups[g] for g in groups if g in bundle.groups]
    ft = bundle.facet_tags
    n_owned = mesh.topology.index_map(2).size_local
    keep = np.isin(ft.values, values) & (ft.indices < n_owned)
    facets, group = ft.indices[keep], ft.values[keep]
    mesh.topology.create_connectivity(2, 3)
    f2c = mesh.topology.connectivity(2, 3)
    conducting = np.isin(
        bundle.cell_tags.values,
        [bundle.groups[g] for g in CONDUCTING_VOLUMES if g in bundle.groups],
    )
    conducting_cells = set(bundle.cell_tags.indices[conducting].tolist())
    cell = np.array(
        [next(c for c in f2c.links(f) if c in conducting_cells) for f in facets], dtype=np.int64
    )
    tri, centroid, area, normal = _facet_geometry(mesh, facets)
    # orient the normals into the electrolyte cell: towards its midpoint
    midpoint = mesh.geometry.x[mesh.geometry.dofmaps[0][cell]].mean(axis=1)
    flip = np.einsum("ij,ij->i", midpoint - centroid, normal) < 0
    normal[flip] *= -1
    jn = np.einsum("ij,ij->i", j[cell], normal)
    return InterfaceCurrent(group, centroid, area, normal, jn, tri)
