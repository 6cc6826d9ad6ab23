"""Disk morphologies: full contact, a contact disk, pores (voids) and contact spots.

Pores and spots share one placement (:func:`disk_pattern`): a single disk, a square or
hexagonal lattice, or random non-overlapping disks with a size distribution, by count or by
area fraction. Pores are gaps painted on a contact background (cylinders) or cap voids;
spots are contact disks painted on a gap background.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from eisfem.geometry.placement import (
    Electrode,
    PlacementError,
    draw_radii,
    hexagonal_lattice,
    lattice_radius,
    place_random,
    radii_for_area,
    square_lattice,
)
from eisfem.geometry.plan import UM, Caps, HeightMap, InterfacePlan, Layer, constant_height

DEFAULT_CLEARANCE = 0.1  # default min_distance between rims, in disk radii
# A half-spheroid's profile is a square root at its rim, z ≈ h·sqrt(2δ/r), which second-order
# geometry follows only with small rim elements s. Measured on 5 caps (r = 15 µm, h = 3 µm):
# cap area error −5e-4 at s = r/12 (38k cells), −3.7e-5 at r/24 (82k), −1.4e-5 at r/32 (120k).
SPHEROID_RIM_PER_RADIUS = 24


MAX_LATTICE_PER_SIDE = 200  # 40 000 features: far beyond what meshes on a workstation


def plan_full(electrode: Electrode, iface: Any) -> InterfacePlan:
    return InterfacePlan(electrode, "contact")


def plan_disk(electrode: Electrode, iface: Any) -> InterfacePlan:
    a = iface.radius / UM
    if not a < electrode.half:
        raise ValueError(
            f"interface.radius must be < the electrode half-width {electrode.half * UM:g} m "
            f"(got {iface.radius:g} m)"
        )
    disk = np.array([[electrode.cx, electrode.cy, a]])
    return InterfacePlan(
        electrode,
        "bare",
        nominal_area=math.pi * a**2,
        layers=[Layer("contact", disks=disk)],
        edge_size=a / 20,
    )


def _fraction_field(p: Any) -> str:
    return "interface.area_fraction" if p.area_fraction is not None else "interface.count"


def rim_gaps(disks: np.ndarray, electrode: Electrode) -> np.ndarray:
    """Per disk: the smallest distance from its rim to another rim or to the electrode edge
    (twice the distance to a mirror wall of a patch, which faces the disk's mirror image)."""
    x, y, r = disks.T
    if electrode.shape == "square":
        gaps = 2 * (
            electrode.half - np.maximum(np.abs(x - electrode.cx), np.abs(y - electrode.cy)) - r
        )
    else:
        gaps = electrode.half - np.hypot(x - electrode.cx, y - electrode.cy) - r
    if len(disks) > 1:
        k = min(len(disks), 8)  # neighbours by centre distance; radii vary at most 16-fold
        dist, idx = cKDTree(disks[:, :2]).query(disks[:, :2], k=k)
        rim = dist[:, 1:] - r[:, None] - r[idx[:, 1:]]
        gaps = np.minimum(gaps, rim.min(axis=1))
    return gaps


def disk_pattern(electrode: Electrode, p: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Disks (rows x, y, r in µm) of a DiskPattern config and a report of the placement."""
    area = electrode.area
    report: dict[str, Any] = {"placement": p.placement}
    if p.radius is not None:
        mean = p.radius / UM
    elif p.placement == "single":
        mean = math.sqrt(p.area_fraction * area / math.pi)
    else:
        mean = lattice_radius(p.placement, p.spacing / UM, p.area_fraction)
    margin = p.min_distance / UM if p.min_distance is not None else DEFAULT_CLEARANCE * mean

    if p.placement == "random":
        rng_radii, rng_place = np.random.default_rng(p.seed).spawn(2)
        sd = p.radius_sd / UM if p.radius_sd is not None else None
        if p.count is not None:
            radii = draw_radii(rng_radii, p.count, mean, sd, p.distribution)
        else:
            radii, scale = radii_for_area(
                rng_radii, p.area_fraction * area, mean, sd, p.distribution
            )
            report["radius_scale"] = scale
        field = _fraction_field(p)
        if np.sum(np.pi * (radii + margin / 2) ** 2) > area:
            raise ValueError(
                f"{field}: {radii.size} disks of mean radius {mean * UM:g} m (plus "
                f"interface.min_distance) cover more than the electrode; lower {field}"
            )
        try:
            xy, radii = place_random(rng_place, electrode, radii, margin)
        except PlacementError as exc:
            raise ValueError(
                f"{field}: only {exc.placed} of {exc.requested} non-overlapping disks fit "
                "(random placement jams near 50 % coverage); lower it, "
                "interface.radius or interface.min_distance"
            ) from None
        disks = np.column_stack([xy, radii])
    else:
        if p.placement == "single":
            xy = np.array([[electrode.cx, electrode.cy]])
        else:
            s = p.spacing / UM
            if not s >= 2 * mean + margin:
                raise ValueError(
                    "interface.spacing must be >= 2 × radius + min_distance so disks do not "
                    f"touch (got spacing {s * UM:g} m, radius {mean * UM:g} m, "
                    f"min_distance {margin * UM:g} m)"
                )
            n = electrode.width / s
            if not n <= MAX_LATTICE_PER_SIDE:
                raise ValueError(
                    f"interface.spacing: the lattice would have {n:.3g} disks per side; at most "
                    f"{MAX_LATTICE_PER_SIDE} are supported (raise the spacing or use a patch)"
                )
            square = electrode.shape == "square" and p.placement == "square"
            if square and (abs(n - round(n)) > 1e-6 * n or round(n) < 1):
                raise ValueError(
                    "cell.side must be a whole multiple of interface.spacing for a periodic "
                    f"patch (got side/spacing = {n:.4g})"
                )
            lattice = square_lattice if p.placement == "square" else hexagonal_lattice
            xy = lattice(electrode, s, mean, margin)
        fits = electrode.fits(xy[:, 0], xy[:, 1], mean, margin) if len(xy) else []
        if p.placement == "single" and not np.all(fits):
            raise ValueError(
                f"interface.radius: a disk of radius {mean * UM:g} m does not fit inside the "
                "electrode (with interface.min_distance to its edge)"
            )
        if len(xy) == 0:
            raise ValueError(
                "interface.radius: no disk of this radius and spacing fits inside the electrode"
            )
        disks = np.column_stack([xy, np.full(len(xy), mean)])
    report["count"] = len(disks)
    report["area_fraction_planned"] = float(np.sum(np.pi * disks[:, 2] ** 2) / area)
    report["min_rim_gap_m"] = float(rim_gaps(disks, electrode).min()) * UM
    return disks, report


def _sizes(disks: np.ndarray, p: Any, electrode: Electrode) -> tuple[float, np.ndarray]:
    """Element sizes (µm) on the plane and at each disk's rim.

    A lattice gets a third of the radius everywhere on the plane (and an eighth of the
    spacing); sparse single or random disks are resolved by the edge ramps alone, so the plane
    only needs a sixth of their mean distance. A rim gets a quarter of the plane size, of a
    third of its radius or of the narrowest neck next to it, whichever is smallest.
    """
    if p.placement in ("square", "hexagonal"):
        interface = min(float(disks[:, 2].min()) / 3, p.spacing / UM / 8)
    else:
        interface = math.sqrt(electrode.area / len(disks)) / 6
    necks = np.maximum(rim_gaps(disks, electrode), 1e-9)
    return interface, np.minimum(np.minimum(disks[:, 2] / 3, necks), interface) / 4


def cap_height_map(caps: Caps, floor: float) -> HeightMap:
    """The height of cap voids above the plane at (x, y), floored at ``floor``."""
    tree = cKDTree(caps.disks[:, :2])
    reach = float(caps.disks[:, 2].max())
    h = caps.height

    def profile(d: np.ndarray, r: np.ndarray) -> np.ndarray:
        d = np.minimum(d, r)
        if caps.shape == "ellipsoid":
            return h * np.sqrt(1 - (d / r) ** 2)
        rho = (r**2 + h**2) / (2 * h)
        return np.sqrt(rho**2 - d**2) - (rho - h)

    def height(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        pts = np.column_stack([np.ravel(x), np.ravel(y)])
        out = np.full(len(pts), floor)
        near = tree.query_ball_point(pts, reach)
        counts = np.fromiter((len(n) for n in near), int, len(near))
        if counts.sum():
            which = np.repeat(np.arange(len(pts)), counts)
            disk = np.concatenate([np.asarray(n, int) for n in near if n])
            d = np.hypot(*(pts[which] - caps.disks[disk, :2]).T)
            r = caps.disks[disk, 2]
            inside = d < r
            np.maximum.at(out, which[inside], profile(d[inside], r[inside]))
        return out.reshape(np.shape(x))

    return height


def plan_pores(electrode: Electrode, p: Any) -> InterfacePlan:
    disks, report = disk_pattern(electrode, p)
    h = p.height / UM
    if p.shape == "lens" and h > disks[:, 2].min() * (1 + 1e-12):
        raise ValueError(
            "interface.height must be <= the pore radius for lens (spherical cap) pores "
            f"(got height {p.height:g} m, smallest radius {disks[:, 2].min() * UM:g} m)"
        )
    interface, edges = _sizes(disks, p, electrode)
    plan = InterfacePlan(electrode, "contact", interface_size=interface, report=report)
    plan.counts["pores"] = len(disks)
    thin = p.gap_model == "thin"
    if p.shape == "cylinder" or thin:
        heights = np.full(len(disks), h)
        plan.layers.append(Layer("gap", disks=disks, heights=heights, edge_size=edges))
    if p.shape != "cylinder":
        if p.shape == "ellipsoid":
            edges = np.minimum(edges, disks[:, 2] / SPHEROID_RIM_PER_RADIUS)
        caps = Caps(p.shape, disks, h, edges)
        if thin:
            plan.height_map = cap_height_map(caps, p.min_gap / UM)
        else:
            plan.caps = caps
    elif thin:
        plan.height_map = constant_height(h)
    plan.thin = thin
    return plan


def plan_spots(electrode: Electrode, p: Any) -> InterfacePlan:
    disks, report = disk_pattern(electrode, p)
    h = p.height / UM
    interface, edges = _sizes(disks, p, electrode)
    plan = InterfacePlan(
        electrode,
        "gap",
        default_height=h,
        layers=[Layer("contact", disks=disks, edge_size=edges)],
        thin=p.gap_model == "thin",
        height_map=constant_height(h),
        interface_size=interface,
        report=report,
    )
    plan.counts["spots"] = len(disks)
    return plan
