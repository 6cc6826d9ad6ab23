"""Voxelise a parametric interface into a labelled stack: lens voids (spherical caps) standing
on a flat electrolyte under a metal, as left by stripping.

Used for the shipped example stack, for the convergence of voxelised geometries to the
parametric one, and for tests; voxels take the label of their centre (no partial volumes, as
a segmented micrograph has none).
"""

from __future__ import annotations

import numpy as np

LABELS = {"electrolyte": 0, "void": 1, "metal": 2}


def random_voids(
    side: float, count: int, radius: tuple[float, float], seed: int, height=(1.5, 3.0)
) -> np.ndarray:
    """Rows (x, y, base radius, cap height) of ``count`` lens voids on a patch ``side`` wide,
    radii and heights uniform in the given ranges, 1 unit apart and 1 unit inside the patch
    (rejection sampling, seeded)."""
    rng = np.random.default_rng(seed)
    out: list[tuple[float, float, float, float]] = []
    while len(out) < count:
        a = rng.uniform(*radius)
        x, y = rng.uniform(-side / 2 + a + 1, side / 2 - a - 1, size=2)
        if all(np.hypot(x - u, y - v) > a + b + 1 for u, v, b, _ in out):
            out.append((x, y, a, rng.uniform(*height)))
    return np.array(out)


def lens_stack(
    side: float,
    voxel: tuple[float, float, float],
    depth: float,
    height: float,
    pores: np.ndarray,
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> np.ndarray:
    """A (z, y, x) uint8 stack of a square patch ``side`` wide (any length unit, centred on 0).

    The electrolyte fills the ``depth`` below its surface, the metal the ``height`` above,
    minus lens voids given as rows (x, y, base radius, cap height). Row 0 is the largest y,
    slice 0 the bottom. ``offset`` shifts the geometry against the voxel grid.
    """
    dx, dy, dz = voxel
    nx, ny, nz = round(side / dx), round(side / dy), round((depth + height) / dz)
    x = -side / 2 + dx * (np.arange(nx) + 0.5) - offset[0]
    y = (side / 2 - dy * (np.arange(ny) + 0.5)) - offset[1]  # row 0 at the top
    z = dz * (np.arange(nz) + 0.5) - depth - offset[2]  # 0 at the electrolyte surface
    zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
    out = np.where(zz < 0, LABELS["electrolyte"], LABELS["metal"]).astype(np.uint8)
    for cx, cy, a, h in np.asarray(pores, dtype=float).reshape(-1, 4):
        r = (a * a + h * h) / (2 * h)  # sphere through the rim circle and the apex
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 + (zz - (h - r)) ** 2 < r * r
        out[inside & (zz >= 0)] = LABELS["void"]
    return out
