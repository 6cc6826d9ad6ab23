"""Where disks go on an electrode: lattices, seeded random non-overlapping placement, radii.

Pure NumPy in micrometres, no gmsh: the config validation runs it to refuse impossible
requests before meshing, and the builder runs it again (same seed, same result) to place the
features. Random placement is random sequential addition: disks (largest first) are dropped at
uniformly drawn positions and kept if they clear every disk already placed; it jams near 55 %
coverage for equal disks, so higher requests fail with a clear message instead of looping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

TRUNCATION = 4.0  # normal / log-normal radii are redrawn outside [mean / 4, 4 × mean]
TRIES_PER_DISK = 4000  # candidate positions per disk before random placement gives up
BATCH = 64


class PlacementError(ValueError):
    """The requested disks cannot be placed; ``placed`` of ``requested`` fitted."""

    def __init__(self, placed: int, requested: int):
        super().__init__(f"placed {placed} of {requested}")
        self.placed = placed
        self.requested = requested


@dataclass(frozen=True)
class Electrode:
    """The electrode footprint (µm): a square patch or a disk, with centre (cx, cy).

    ``half`` is the half side of a square or the radius of a disk; ``covers_cell`` says whether
    the footprint is the whole top face of the cell (no bare electrolyte around it).
    """

    shape: Literal["square", "disk"]
    cx: float
    cy: float
    half: float
    covers_cell: bool

    @property
    def area(self) -> float:
        return 4 * self.half**2 if self.shape == "square" else math.pi * self.half**2

    @property
    def width(self) -> float:
        return 2 * self.half

    def bounds(self) -> tuple[float, float, float, float]:
        h = self.half
        return self.cx - h, self.cy - h, self.cx + h, self.cy + h

    def fits(self, x: np.ndarray, y: np.ndarray, r: np.ndarray | float, margin: float = 0.0):
        """Whether disks of radius r centred at (x, y) lie inside, ``margin`` from the edge."""
        dx, dy = np.asarray(x) - self.cx, np.asarray(y) - self.cy
        room = self.half - np.asarray(r) - margin
        if self.shape == "square":
            return (np.abs(dx) <= room) & (np.abs(dy) <= room)
        return np.hypot(dx, dy) <= room


def square_lattice(electrode: Electrode, spacing: float, radius: float, margin: float):
    """Centres of a square lattice.

    On a square patch the lattice fills the patch with one disk in the middle of each lattice
    cell (so the mirror walls cut it at cell boundaries and the patch is a unit cell of the
    infinite array); on a disk a node sits at the centre and disks must fit inside.
    """
    if electrode.shape == "square":
        n = round(electrode.width / spacing)
        c = (np.arange(n) + 0.5) * spacing - electrode.half
        xx, yy = np.meshgrid(c + electrode.cx, c + electrode.cy, indexing="ij")
        return np.column_stack([xx.ravel(), yy.ravel()])
    n = math.floor(electrode.half / spacing) + 1
    k = np.arange(-n, n + 1) * spacing
    xx, yy = np.meshgrid(k + electrode.cx, k + electrode.cy, indexing="ij")
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    return pts[electrode.fits(pts[:, 0], pts[:, 1], radius, margin)]


def hexagonal_lattice(electrode: Electrode, spacing: float, radius: float, margin: float):
    """Centres of a hexagonal lattice (rows along x) with a node at the electrode centre,
    keeping the disks that fit inside the electrode."""
    dy = spacing * math.sqrt(3) / 2
    rows = math.floor(electrode.half / dy) + 1
    cols = math.floor(electrode.half / spacing) + 2
    j = np.arange(-rows, rows + 1)
    i = np.arange(-cols, cols + 1)
    ii, jj = np.meshgrid(i, j, indexing="ij")
    x = (ii + 0.5 * (jj % 2)) * spacing + electrode.cx
    y = jj * dy + electrode.cy
    pts = np.column_stack([x.ravel(), y.ravel()])
    return pts[electrode.fits(pts[:, 0], pts[:, 1], radius, margin)]


def lattice_area_fraction(kind: str, spacing: float, radius: float) -> float:
    """Area fraction of an infinite square or hexagonal lattice of disks."""
    cell = spacing**2 if kind == "square" else spacing**2 * math.sqrt(3) / 2
    return math.pi * radius**2 / cell


def lattice_radius(kind: str, spacing: float, fraction: float) -> float:
    """Disk radius that gives an infinite lattice the area ``fraction``."""
    return math.sqrt(fraction / lattice_area_fraction(kind, spacing, 1.0))


def draw_radii(
    rng: np.random.Generator, n: int, mean: float, sd: float | None, distribution: str
) -> np.ndarray:
    """``n`` radii: fixed, normal or log-normal with the given mean and standard deviation,
    truncated to [mean / 4, 4 × mean] by redrawing (no zero or huge disks)."""
    if distribution == "fixed" or n == 0:
        return np.full(n, mean)
    out = np.empty(0)
    while out.size < n:
        m = 2 * (n - out.size) + 8
        if distribution == "normal":
            draw = rng.normal(mean, sd, m)
        else:
            s2 = math.log1p((sd / mean) ** 2)
            draw = rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), m)
        keep = (draw >= mean / TRUNCATION) & (draw <= mean * TRUNCATION)
        out = np.concatenate([out, draw[keep]])
    return out[:n]


def radii_for_area(
    rng: np.random.Generator, area: float, mean: float, sd: float | None, distribution: str
) -> tuple[np.ndarray, float]:
    """Radii whose disks cover exactly ``area``, and the common scale factor applied.

    Radii are drawn until their total area is closest to ``area``, then all are scaled by one
    factor so the sum is exact (the factor is reported; it is 1 ± 1/(2n) for fixed radii).
    """
    radii = np.empty(0)
    while math.pi * np.sum(radii**2) < area:
        radii = np.concatenate([radii, draw_radii(rng, 64, mean, sd, distribution)])
    cum = math.pi * np.cumsum(radii**2)
    n = int(np.argmin(np.abs(cum - area))) + 1
    radii = radii[:n]
    scale = math.sqrt(area / (math.pi * np.sum(radii**2)))
    return radii * scale, scale


def place_random(
    rng: np.random.Generator,
    electrode: Electrode,
    radii: np.ndarray,
    clearance: float,
    allowed=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping positions for ``radii`` (placed largest first) inside the electrode.

    Rims stay ``clearance`` apart and from the electrode edge. ``allowed(x, y)`` optionally
    restricts the centres further (e.g. to gap regions). Returns (centres, radii) in placing
    order; raises :class:`PlacementError` when a disk finds no room.
    """
    order = np.argsort(-radii, kind="stable")
    radii = radii[order]
    centres = np.empty((radii.size, 2))
    x0, y0, x1, y1 = electrode.bounds()
    for k, r in enumerate(radii):
        placed = centres[:k]
        for _ in range(TRIES_PER_DISK // BATCH):
            cand = rng.uniform((x0, y0), (x1, y1), size=(BATCH, 2))
            ok = electrode.fits(cand[:, 0], cand[:, 1], r, clearance)
            if allowed is not None:
                ok &= allowed(cand[:, 0], cand[:, 1])
            if k:
                d = np.hypot(
                    cand[:, None, 0] - placed[None, :, 0], cand[:, None, 1] - placed[None, :, 1]
                )
                ok &= np.all(d >= r + radii[None, :k] + clearance, axis=1)
            hits = np.flatnonzero(ok)
            if hits.size:
                centres[k] = cand[hits[0]]
                break
        else:
            raise PlacementError(k, radii.size)
    return centres, radii
