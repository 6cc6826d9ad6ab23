"""Seeded random surfaces and their level sets: rough electrolytes and random gap patches.

A rough surface is a stationary Gaussian random field with Gaussian autocorrelation
exp(-r²/ℓ²): white noise on a grid padded by several ℓ, smoothed by a Gaussian filter of width
ℓ/2 (scipy.ndimage), cropped, and scaled to the requested Ra. A flat metal pressed onto it
touches where the surface is above a level; the rest is a gap of local height level − H.
Level sets become polygons with contourpy (marching squares, already a matplotlib
dependency) and shapely (cleaning, areas, clipping), so areas and fractions are those of the
exact polygons the builder hands to OpenCASCADE.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import contourpy
import numpy as np
import shapely
from scipy.interpolate import RegularGridInterpolator
from scipy.ndimage import gaussian_filter

from eisfem.geometry.placement import Electrode

MAX_NODES = 513  # grid nodes per side; beyond this a patch of the interface is the right cell
DEFAULT_STEPS_PER_LENGTH = 8  # default grid step = correlation length / 8


@dataclass(frozen=True)
class Grid:
    """Values z[j, i] at nodes (x[i], y[j]) covering the electrode's bounding square (µm)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    @property
    def step(self) -> float:
        return float(self.x[1] - self.x[0])

    def interpolate(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """Bilinear interpolation (extrapolating at the edges), vectorised over points."""
        f = RegularGridInterpolator((self.y, self.x), self.z, bounds_error=False, fill_value=None)
        return lambda x, y: f(np.column_stack([np.ravel(y), np.ravel(x)]))

    def inside(self, electrode: Electrode) -> np.ndarray:
        """Mask of the nodes inside the electrode."""
        xx, yy = np.meshgrid(self.x, self.y)
        return electrode.fits(xx, yy, 0.0)


def grid_nodes(electrode: Electrode, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Node coordinates covering the electrode's bounding square with a step ≤ ``step``."""
    n = math.ceil(electrode.width / step) + 1
    if n > MAX_NODES:
        raise ValueError(f"needs {n} grid nodes per side (at most {MAX_NODES})")
    x0, y0, x1, y1 = electrode.bounds()
    return np.linspace(x0, x1, n), np.linspace(y0, y1, n)


def gaussian_field(seed: int, electrode: Electrode, correlation_length: float, step: float) -> Grid:
    """A zero-mean, unit-variance Gaussian field with autocorrelation exp(-r²/ℓ²)."""
    x, y = grid_nodes(electrode, step)
    h = float(x[1] - x[0])
    sigma = correlation_length / (2 * h)  # filter width in nodes: (g*g)(r) ∝ exp(-r²/(4σ²))
    pad = math.ceil(4 * sigma) + 1
    noise = np.random.default_rng(seed).standard_normal((y.size + 2 * pad, x.size + 2 * pad))
    z = gaussian_filter(noise, sigma, mode="wrap")[pad:-pad, pad:-pad]
    grid = Grid(x, y, z)
    inside = grid.inside(electrode)
    z = (z - z[inside].mean()) / z[inside].std()
    return Grid(x, y, z)


def scale_to_ra(grid: Grid, electrode: Electrode, ra: float) -> Grid:
    """The field scaled so its arithmetic mean roughness over the electrode is ``ra``."""
    inside = grid.inside(electrode)
    z = grid.z - grid.z[inside].mean()
    return Grid(grid.x, grid.y, z * (ra / np.abs(z[inside]).mean()))


def sublevel_polygons(grid: Grid, level: float) -> list[shapely.Polygon]:
    """Polygons (with holes) of the region where the field is below ``level``, cleaned.

    Vertices closer than a twentieth of the grid step to the line through their neighbours
    are dropped (marching squares puts near-duplicate points where a contour grazes a node),
    and sub-grid specks (parts and holes smaller than a grid cell) are removed, so the
    mesher never sees edges far below the grid resolution.
    """
    gen = contourpy.contour_generator(
        grid.x, grid.y, grid.z, fill_type=contourpy.FillType.OuterOffset
    )
    lowest = float(grid.z.min()) - 1.0
    if level <= lowest + 1.0:
        return []
    points, offsets = gen.filled(lowest, level)
    speck = grid.step**2
    out = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[a:b] for a, b in itertools.pairwise(off)]
        holes = [r for r in rings[1:] if abs(shapely.area(shapely.Polygon(r))) >= speck]
        poly = shapely.Polygon(rings[0], holes).simplify(grid.step / 20, preserve_topology=True)
        for part in getattr(poly, "geoms", [poly]):
            if part.area >= speck:
                out.append(shapely.geometry.polygon.orient(part))
    return out


def electrode_shape(electrode: Electrode) -> shapely.Geometry:
    """The electrode as a shapely geometry (a disk as a 256-gon: for 2D estimates only)."""
    if electrode.shape == "square":
        return shapely.box(*electrode.bounds())
    return shapely.Point(electrode.cx, electrode.cy).buffer(electrode.half, quad_segs=64)


def on_electrode(polygons: list[shapely.Polygon], electrode: Electrode) -> list[shapely.Polygon]:
    """The polygons that reach onto the electrode (the grid covers its bounding square)."""
    shape = electrode_shape(electrode)
    return [p for p in polygons if p.intersects(shape)]


def covered_fraction(polygons: list[shapely.Polygon], electrode: Electrode) -> float:
    """Share of the electrode area covered by ``polygons``."""
    if not polygons:
        return 0.0
    union = shapely.union_all(polygons)
    if electrode.shape == "disk":
        union = union.intersection(electrode_shape(electrode))
    return union.area / electrode.area


def level_for_fraction(grid: Grid, electrode: Electrode, fraction: float) -> float:
    """The level whose sublevel polygons cover ``fraction`` of the electrode (to 1e-4).

    Bisection on the polygon area, bracketed by node quantiles (the area is monotone in the
    level); a fraction of 1 is the top of the field (no polygon left out).
    """
    values = grid.z[grid.inside(electrode)]
    if fraction >= 1:
        return float(values.max()) + 1e-9
    lo = float(np.quantile(values, max(fraction - 0.05, 0.0))) - 1e-12
    hi = float(np.quantile(values, min(fraction + 0.05, 1.0))) + 1e-12
    while covered_fraction(sublevel_polygons(grid, hi), electrode) < fraction:
        hi += hi - lo
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        f = covered_fraction(sublevel_polygons(grid, mid), electrode)
        if abs(f - fraction) < 1e-4:
            return mid
        lo, hi = (mid, hi) if f < fraction else (lo, mid)
    return 0.5 * (lo + hi)


def mean_depth(grid: Grid, polygon: shapely.Polygon, level: float) -> float:
    """Mean of level − H over the grid nodes inside ``polygon`` (its centroid if none)."""
    xx, yy = np.meshgrid(grid.x, grid.y)
    inside = shapely.contains_xy(polygon, xx, yy)
    if inside.any():
        return float(np.mean(level - grid.z[inside]))
    p = polygon.representative_point()
    return float(level - grid.interpolate()(np.array([p.x]), np.array([p.y]))[0])
