"""Interface features as OpenCASCADE solids: pore shapes and their placement.

All coordinates are micrometres (see DESIGN.md §3: OCC's ~1e-7 tolerance would swallow
sub-µm features in metres). A pore stands on the interface plane z = z0 and grows into the
metal (+z), so the electrolyte surface stays flat and the pore's roof and walls are metal.
Cylinder pores need no solid here: the builder extrudes them from their floor disks so that
their mesh is structured (a 20 nm gap under a 50 µm-wide floor meshes as flat prisms split into
tetrahedra, which an unstructured mesher could only fill with millions of cells).
"""

from __future__ import annotations

import math

import gmsh
import numpy as np


def add_lens_pore(x: float, y: float, z0: float, radius: float, height: float) -> int:
    """A spherical-cap void (the lens left by stripping) with base radius and cap height."""
    occ = gmsh.model.occ
    rho = (radius**2 + height**2) / (2.0 * height)
    sphere = occ.addSphere(x, y, z0 + height - rho, rho)
    clip = occ.addCylinder(x, y, z0, 0.0, 0.0, height, radius * 1.001)
    out, _ = occ.intersect([(3, sphere)], [(3, clip)])
    if len(out) != 1:
        raise RuntimeError(f"lens pore at ({x:g}, {y:g}) did not form one solid: {out}")
    return out[0][1]


def pore_volume(shape: str, radius: float, height: float) -> float:
    """Exact volume of one pore (same units cubed), for reporting and tests."""
    if shape == "cylinder":
        return math.pi * radius**2 * height
    return math.pi * height * (3 * radius**2 + height**2) / 6.0


def square_lattice_in_patch(side: float, spacing: float) -> np.ndarray:
    """Pore centres of a periodic square lattice filling a patch [-side/2, side/2]².

    Centres sit in the middle of each lattice cell, so the mirror-symmetric side walls cut the
    lattice at cell boundaries and the patch is a true representative area.
    """
    n = round(side / spacing)
    c = (np.arange(n) + 0.5) * spacing - side / 2
    xx, yy = np.meshgrid(c, c, indexing="ij")
    return np.column_stack([xx.ravel(), yy.ravel()])


def square_lattice_in_disk(radius: float, spacing: float, pore_radius: float) -> np.ndarray:
    """Centres of a square lattice (one node at the centre) whose pores fit inside the disk.

    A margin of a quarter pore radius keeps pore rims off the electrode edge.
    """
    n = math.floor(radius / spacing) + 1
    c = np.arange(-n, n + 1) * spacing
    xx, yy = np.meshgrid(c, c, indexing="ij")
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    keep = np.hypot(pts[:, 0], pts[:, 1]) + 1.25 * pore_radius <= radius
    return pts[keep]
