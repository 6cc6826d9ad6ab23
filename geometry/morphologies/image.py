"""A measured contact map: a binary image centred on the electrode, dark pixels are gaps."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from eisfem.geometry.images import load_mask, pixel_polygons
from eisfem.geometry.morphologies.flat_gaps import flat_gap_plan
from eisfem.geometry.placement import Electrode
from eisfem.geometry.plan import UM, InterfacePlan
from eisfem.geometry.roughness import covered_fraction, on_electrode

MAX_VERTICES = 20_000  # outline vertices; beyond, the mask is too fine to mesh sensibly


def _crop(mask: np.ndarray, electrode: Electrode, px: float) -> tuple[np.ndarray, float, float]:
    """The pixels that overlap the electrode's bounding square, with their top-left corner."""
    ny, nx = mask.shape
    left, top = electrode.cx - nx * px / 2, electrode.cy + ny * px / 2
    x0, y0, x1, y1 = electrode.bounds()
    c0, c1 = math.floor((x0 - left) / px + 1e-9), math.ceil((x1 - left) / px - 1e-9)
    r0, r1 = math.floor((top - y1) / px + 1e-9), math.ceil((top - y0) / px - 1e-9)
    return mask[r0:r1, c0:c1], left + c0 * px, top - r0 * px


def plan_image(electrode: Electrode, p: Any) -> InterfacePlan:
    try:
        contact = load_mask(p.path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"interface.path: {exc}") from None
    if p.invert:
        contact = ~contact
    px = p.pixel_size / UM
    ny, nx = contact.shape
    if min(nx, ny) * px < electrode.width * (1 - 1e-9):
        raise ValueError(
            f"interface.pixel_size: the image ({nx} × {ny} pixels of {p.pixel_size:g} m) must "
            f"cover the electrode ({electrode.width * UM:g} m wide)"
        )
    contact, left, top = _crop(contact, electrode, px)
    gaps = pixel_polygons(~contact, left, top, px)
    if electrode.shape == "square":
        box = shapely.box(*electrode.bounds())
        gaps = [g.intersection(box) for g in gaps]
        gaps = [part for g in gaps for part in getattr(g, "geoms", [g]) if part.area > 0]
    else:
        gaps = on_electrode(gaps, electrode)
    vertices = sum(len(g.exterior.coords) + sum(len(i.coords) for i in g.interiors) for g in gaps)
    if vertices > MAX_VERTICES:
        raise ValueError(
            f"interface.path: the gap outline has {vertices} vertices (at most {MAX_VERTICES}); "
            "use a coarser image (larger interface.pixel_size)"
        )
    if covered_fraction(gaps, electrode) > 1 - 1e-9:
        raise ValueError("interface.path: the mask has no contact pixel on the electrode")
    return flat_gap_plan(electrode, gaps, p, 2 * px, px / 2)
