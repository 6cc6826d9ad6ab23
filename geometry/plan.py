"""The 2D plan of an interface: which parts of the electrode footprint touch, gap or stay bare.

Every morphology (pores, spots, rough surface, collector gaps, image) is first planned in 2D,
in micrometres, without gmsh: disks and polygons in layers painted over a default role, cap
voids standing on the plane, the gap heights and, for the thin-gap model, the height map
h(x, y). The config validation plans the interface to refuse impossible requests, the builder
turns the same plan into OpenCASCADE faces (:mod:`eisfem.geometry.footprint`), and every MPI
rank rebuilds the height map from it (seeded, so identical everywhere). Plans are cached per
(cell, interface) in :func:`eisfem.geometry.morphologies.plan_interface`, so planning happens
once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely

from eisfem.geometry.placement import Electrode

UM = 1e-6  # metres per model unit: geometry is built in micrometres

Role = Literal["contact", "gap", "bare"]
HeightMap = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (x, y) µm -> h µm


@dataclass
class Layer:
    """Shapes of one role painted over everything below them (later layers win).

    ``heights`` holds one gap height per shape (disks first, then polygons) for gap layers;
    ``edge_size`` (optional; one value or one per shape) is the element size at the contact
    edges these shapes make, when it differs from the plan's (small nuclei next to long
    stripe edges, small pores among large ones).
    """

    role: Role
    disks: np.ndarray = field(default_factory=lambda: np.empty((0, 3)))  # rows x, y, r
    polygons: list[shapely.Polygon] = field(default_factory=list)
    heights: np.ndarray | None = None
    edge_size: float | np.ndarray | None = None

    def shape_edge_sizes(self) -> list[float | None]:
        n = len(self.disks) + len(self.polygons)
        if self.edge_size is None or np.ndim(self.edge_size) == 0:
            return [self.edge_size] * n
        return list(self.edge_size)


@dataclass
class Caps:
    """Cap-shaped voids on the plane (lens: spherical cap; ellipsoid: half-spheroid)."""

    shape: Literal["lens", "ellipsoid"]
    disks: np.ndarray  # rows x, y, base radius
    height: float
    edge_size: np.ndarray | None = None  # element size at each cap's rim


@dataclass(frozen=True)
class Filament:
    """A metal cylinder standing from the electrode plane down into the electrolyte (µm).

    Its wall and end face are working-electrode surfaces; the electrolyte it occupies is cut
    out of the cell (:mod:`eisfem.geometry.morphologies.filament`).
    """

    x: float
    y: float
    radius: float
    depth: float
    edge_size: float  # element size at its two circles (rim and tip)


@dataclass
class InterfacePlan:
    """Everything the builder needs to realise one electrode's interface (µm)."""

    electrode: Electrode
    default: Role  # role of the footprint not covered by any layer
    default_height: float | None = None
    nominal_area: float | None = None  # electrode area for area-specific values (µm²)
    layers: list[Layer] = field(default_factory=list)
    caps: Caps | None = None
    thin: bool = False  # gaps are thin-gap surfaces (not meshed) with height_map
    height_map: HeightMap | None = None
    interface_size: float | None = None  # suggested element sizes on the plane and at edges
    edge_size: float | None = None
    filament: Filament | None = None  # a penetrating metal filament under the WE
    counts: dict[str, int] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)  # requested and planned values

    @property
    def has_gaps(self) -> bool:
        return self.default == "gap" or any(la.role == "gap" for la in self.layers)


def constant_height(h: float) -> HeightMap:
    return lambda x, y: np.full(np.shape(x), h, dtype=float)
