"""The numbers behind an interface current map: smooth nodal values and the rim profile.

Facet means of the consistent flux are exact averages over each facet, but drawn flat they turn
a curved contact rim into saw teeth (each facet on the rim is one block of colour). A map a
reader can trust draws nodal values instead: at each vertex the area-weighted mean of the facet
means around it, interpolated linearly inside the facets (Gouraud shading). The average is
taken separately for each part of the interface (contact, pore floor, gap footprint), because
the normal current density really jumps at the rim (from the contact's edge singularity to the
displacement current of a gap): smoothing must not wash that jump out, only the facet pattern.

The rim profile is the area-weighted mean of |j_n|/j_nominal over the facets at a given
distance from the contact rim, on the contact side and on the other side, in log-spaced
distance bins: under the primary distribution the contact side follows d^−1/2 next to the rim
(the edge singularity), kinetics flatten it below the length R_ct·σ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COORDINATE_TOLERANCE = 1e-12  # m: vertices closer than this are the same mesh vertex


@dataclass(frozen=True)
class PartMesh:
    """One part of the interface as a triangulation with nodal values (for Gouraud shading)."""

    group: int  # facet tag value of the part
    xy: np.ndarray  # (m, 2) vertex coordinates in the interface plane, metres
    triangles: np.ndarray  # (k, 3) vertex indices
    values: np.ndarray  # (m,) area-weighted mean of the facet values around each vertex


def nodal_parts(vertices: np.ndarray, values: np.ndarray, groups: np.ndarray) -> list[PartMesh]:
    """Per part, the facets' vertices merged and the facet ``values`` averaged onto them.

    ``vertices`` (n, 3, 3): triangle corners; ``values`` (n,): one value per facet; ``groups``
    (n,): the part of each facet. Viewed along z (the interface plane), as from the metal.
    """
    out = []
    area = 0.5 * np.linalg.norm(
        np.cross(vertices[:, 1] - vertices[:, 0], vertices[:, 2] - vertices[:, 0]), axis=1
    )
    for group in np.unique(groups):
        mine = groups == group
        corners = vertices[mine].reshape(-1, 3)
        keys = np.round(corners / COORDINATE_TOLERANCE).astype(np.int64)
        unique, first, index = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        index = index.ravel()
        weights = np.repeat(area[mine], 3)
        weighted = weights * np.repeat(values[mine], 3)
        total = np.bincount(index, weights=weighted, minlength=len(unique))
        norm = np.bincount(index, weights=weights, minlength=len(unique))
        out.append(
            PartMesh(
                int(group),
                corners[first, :2],
                index.reshape(-1, 3),
                total / np.where(norm > 0, norm, 1.0),
            )
        )
    return out


@dataclass(frozen=True)
class RimProfile:
    """Area-weighted mean of a facet value in log-spaced bins of distance to the contact rim."""

    distance: np.ndarray  # (b,) bin centres (geometric), metres
    contact: np.ndarray  # (b,) mean on the contact side (nan: no facet in the bin)
    other: np.ndarray  # (b,) mean on the other parts (pore floors, gaps; nan: none)


def rim_profile(
    distance: np.ndarray,
    area: np.ndarray,
    values: np.ndarray,
    on_contact: np.ndarray,
    bins: int = 24,
) -> RimProfile | None:
    """The profile of ``values`` against ``distance`` to the rim (None without a rim).

    ``distance``: of each facet's centroid to the nearest contact edge (inf without edges).
    """
    finite = np.isfinite(distance) & (distance > 0)
    if not finite.any():
        return None
    lo, hi = distance[finite].min(), distance[finite].max()
    if hi <= lo:
        hi = lo * 10
    edges = np.geomspace(lo, hi * (1 + 1e-9), bins + 1)
    which = np.clip(np.searchsorted(edges, distance, side="right") - 1, 0, bins - 1)

    def means(select: np.ndarray) -> np.ndarray:
        s = select & finite
        w = np.bincount(which[s], weights=area[s], minlength=bins)
        v = np.bincount(which[s], weights=area[s] * values[s], minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(w > 0, v / w, np.nan)

    return RimProfile(np.sqrt(edges[:-1] * edges[1:]), means(on_contact), means(~on_contact))
