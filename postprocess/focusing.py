"""Current-focusing metrics on the working-electrode contact, robust to mesh refinement.

The peak current density at a contact edge is not a number a mesh converges to: under the
primary distribution j ∝ d^−1/2 (d the distance to the edge) the facet next to the edge
reports ∝ h^−1/2. What does converge are integrals and distributions of j over areas larger
than the elements, so those are what is reported (j_nominal = |I| / nominal electrode area):

* the share of the electrode current through a band of width w along the contact edges, with
  the band's share of the contact area for comparison (uniform current: the two are equal);
* area-weighted percentiles of |j|/j_nominal over the contact;
* the contact-area share where |j| > k × j_nominal;
* the peak of |j|/j_nominal with a single-mesh sensitivity: the peak of the field averaged over
  patches about twice the local element size. Their ratio − 1 is ≈ 0 for a resolved maximum
  (kinetics smooth the edge) and ≈ 2^½ − 1 ≈ 0.4 for an unresolved d^−1/2 edge singularity.

Contact edges are the boundary edges of the contact surface where it meets another part of the
interface plane (pore floor, thin-gap footprint, or the insulating top face beside a contact
disk), not where it meets the side walls of the cell (mirror planes carry no singularity).
All facet data are gathered to every rank, so every rank computes the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from eisfem.geometry import tags
from eisfem.solvers.interface_current import InterfaceFlux, facet_geometry
from eisfem.solvers.system import Solution

PATCH_FACTOR = 2.0  # patch radius for the peak's sensitivity, in local element sizes
HORIZONTAL = 0.5  # |n_z| above which an insulating facet lies in the interface plane
SUBDIVISIONS = 8  # per facet edge: 64 sub-triangles sample a facet's distance to the edges


def _subtriangle_centroids(n: int) -> np.ndarray:
    """Barycentric coordinates (n², 3) of the centroids of a triangle split n times per edge."""
    out = []
    for i in range(n):
        for j in range(n - i):
            out.append(((i + 1 / 3) / n, (j + 1 / 3) / n))
            if i + j < n - 1:
                out.append(((i + 2 / 3) / n, (j + 2 / 3) / n))
    uv = np.array(out)
    return np.column_stack([1 - uv.sum(axis=1), uv])


def _gather(comm, array: np.ndarray) -> np.ndarray:
    return np.concatenate(comm.allgather(np.ascontiguousarray(array)))


def _point_segment_distance(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Distance of each point to the nearest of ``segments`` (m, 2, 3)."""
    if len(segments) == 0:
        return np.full(len(points), np.inf)
    mid = segments.mean(axis=1)
    k = min(16, len(segments))
    _, idx = cKDTree(mid).query(points, k=k)
    idx = idx.reshape(len(points), k)
    a, b = segments[idx, 0], segments[idx, 1]
    ab = b - a
    t = np.clip(
        np.einsum("ijk,ijk->ij", points[:, None] - a, ab) / np.einsum("ijk,ijk->ij", ab, ab), 0, 1
    )
    nearest = a + t[..., None] * ab
    return np.linalg.norm(points[:, None] - nearest, axis=2).min(axis=1)


def area_percentiles(values: np.ndarray, area: np.ndarray, percentiles: Sequence[float]):
    """Area-weighted percentiles (midpoint rule on the sorted values)."""
    order = np.argsort(values)
    v, w = values[order], area[order]
    cumulative = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.asarray(percentiles) / 100.0, cumulative, v)


class ContactFocusing:
    """Geometry of the WE contact (areas, distances to its edges), built once per mesh."""

    def __init__(self, flux: InterfaceFlux):
        bundle = flux.system.bundle
        comm = self._comm = bundle.mesh.comm
        contact = flux.group == bundle.groups.get(tags.WE_CONTACT, -1)
        self.contact = contact
        self.area = _gather(comm, flux.area[contact])
        self.centroid = _gather(comm, flux.centroid[contact]).reshape(-1, 3)
        tri = _gather(comm, flux.tri[contact]).reshape(-1, 3, 3)
        others = _gather(comm, flux.tri[~contact]).reshape(-1, 3, 3)
        plane = _gather(comm, _horizontal_insulating(bundle)).reshape(-1, 3, 3)
        self.size = np.sqrt(2 * self.area)  # ≈ edge length of the facet
        self.edges = _contact_edges(tri, np.concatenate([others, plane]))
        self.distance = _point_segment_distance(self.centroid, self.edges)
        # sub-triangles sample the trace within each facet (distributions, band edges)
        self._bary = _subtriangle_centroids(SUBDIVISIONS)
        points = np.einsum("sk,nkd->nsd", self._bary, tri)
        self._sample_distance = _point_segment_distance(points.reshape(-1, 3), self.edges).reshape(
            len(tri), len(self._bary)
        )
        self._sample_area = np.repeat(self.area[:, None] / len(self._bary), len(self._bary), 1)
        self.flux = flux
        self._tree = cKDTree(self.centroid) if len(self.centroid) else None

    def metrics(
        self,
        solution: Solution,
        total: complex,
        electrode_area: float,
        band_widths: Sequence[float],
        thresholds: Sequence[float],
        percentiles: Sequence[float],
    ) -> dict[str, Any]:
        """The focusing numbers of ``solution`` (``total``: its electrode current, A).

        Values are facet means of the consistent flux: the flux within a facet is an L2
        projection whose pointwise values oscillate next to an edge singularity, its facet
        means do not. Band membership is resolved below the facet size by sub-triangles.
        """
        nominal = abs(total) / electrode_area
        jn = _gather(self._comm, self.flux(solution).jn[self.contact])
        rel = np.abs(jn) / nominal
        area = self.area
        contact_area = area.sum()
        out: dict[str, Any] = {
            "current_A": abs(total),
            "j_nominal_A_m2": nominal,
            "contact_area_m2": contact_area,
            "contact_current_fraction": abs((jn * area).sum()) / abs(total),
            "bands": [],
            "percentiles": {
                f"p{p:g}": float(v)
                for p, v in zip(percentiles, area_percentiles(rel, area, percentiles), strict=True)
            },
            "area_share_above": {
                f"{k:g}": float(area[rel > k].sum() / contact_area) for k in thresholds
            },
        }
        if len(self.edges):
            for w in band_widths:
                inside = area * (self._sample_distance < w).mean(axis=1)
                out["bands"].append(
                    {
                        "width_m": w,
                        "current_fraction": abs((jn * inside).sum()) / abs(total),
                        "area_fraction": inside.sum() / contact_area,
                    }
                )
        return out | self._peak(rel)

    def _peak(self, rel: np.ndarray) -> dict[str, Any]:
        """The largest facet mean, and the largest mean over patches of ~2 element sizes."""
        area = self.area
        i = int(np.argmax(rel))
        top = np.argsort(rel)[::-1][: min(50, len(rel))]
        patch = max(
            float((rel[idx] * area[idx]).sum() / area[idx].sum())
            for idx in (
                self._tree.query_ball_point(self.centroid[t], PATCH_FACTOR * self.size[t])
                for t in top
            )
        )
        return {
            "peak": float(rel[i]),
            "peak_location_m": self.centroid[i].tolist(),
            "peak_distance_to_edge_m": float(self.distance[i]) if len(self.edges) else None,
            "peak_element_size_m": float(self.size[i]),
            "peak_patch_average": patch,
            "peak_mesh_sensitivity": float(rel[i] / patch - 1),
        }


def _horizontal_insulating(bundle) -> np.ndarray:
    """Triangles (n, 3, 3) of insulating facets lying in a horizontal plane (owned cells)."""
    if tags.INSULATING not in bundle.groups:
        return np.empty((0, 3, 3))
    mesh = bundle.mesh
    facets = bundle.facet_tags.find(bundle.groups[tags.INSULATING])
    mesh.topology.create_connectivity(2, 3)
    f2c = mesh.topology.connectivity(2, 3)
    owned = mesh.topology.index_map(3).size_local
    facets = np.array([f for f in facets if f2c.links(f)[0] < owned], dtype=np.int32)
    if len(facets) == 0:
        return np.empty((0, 3, 3))
    tri, normal = facet_geometry(mesh, facets)
    return tri[np.abs(normal[:, 2]) > HORIZONTAL]


def _contact_edges(contact: np.ndarray, plane: np.ndarray) -> np.ndarray:
    """Segments (m, 2, 3) bounding the contact where it meets other interface-plane facets.

    Edges are matched by their end points (shared mesh vertices have identical coordinates).
    """
    points = np.concatenate([contact, plane]).reshape(-1, 3)
    _, vertex = np.unique(np.round(points / 1e-12).astype(np.int64), axis=0, return_inverse=True)
    vertex = vertex.reshape(-1, 3)
    base = int(vertex.max(initial=0)) + 1

    def keys(v: np.ndarray) -> np.ndarray:  # edge k of every triangle, k-major
        a, b = v, np.roll(v, -1, axis=1)
        return (np.minimum(a, b) * base + np.maximum(a, b)).T.ravel()

    n = len(contact)
    contact_keys, plane_keys = keys(vertex[:n]), keys(vertex[n:])
    unique, counts = np.unique(contact_keys, return_counts=True)
    keep = np.isin(contact_keys, unique[counts == 1]) & np.isin(contact_keys, plane_keys)
    segments = np.concatenate(
        [np.stack([contact[:, k], contact[:, (k + 1) % 3]], axis=1) for k in range(3)]
    )
    return segments[keep]
