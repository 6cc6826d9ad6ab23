"""Contact maps from images: a binary PNG or .npy mask becomes pixel-exact gap polygons.

The mask is data (a segmented micrograph, a simulated contact map), so its outline is kept
exactly: every gap pixel is part of a polygon, merged per row into runs and then into
polygons with holes by shapely. The polygons' area is therefore the pixel count times the
pixel area, and the contact fraction reported after meshing equals the mask's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely


def load_mask(path: str | Path) -> np.ndarray:
    """The mask as a boolean array (True = the larger of the two values: contact).

    Refuses anything that is not binary with a short reason (the caller names the field).
    """
    path = Path(path)
    if path.suffix.lower() == ".npy":
        try:
            data = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):  # numpy's reasons speak of pickles and headers
            reason = f"{path.name} is not a numpy array file (numpy.save writes one)"
            raise ValueError(reason) from None
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                data = np.asarray(img.convert("RGBA") if img.mode == "P" else img)
        except (UnidentifiedImageError, OSError, ValueError):
            raise ValueError(f"{path.name} is not a readable PNG image") from None
        if data.ndim == 3:  # colour: binary only if the colour channels agree
            channels = data[..., :3] if data.shape[2] >= 3 else data[..., :1]
            if not np.all(channels == channels[..., :1]):
                raise ValueError("the mask must be binary; this image has colours")
            data = channels[..., 0]
    if data.ndim != 2 or min(data.shape) < 1:
        raise ValueError(f"the mask must be a 2D array (got shape {data.shape})")
    values = np.unique(data)
    if values.size > 2:
        raise ValueError(f"the mask must be binary (2 values); it has {values.size} values")
    return data == values[-1] if values.size == 2 else np.full(data.shape, bool(values[0]))


def pixel_polygons(gap: np.ndarray, x0: float, y_top: float, pixel: float) -> list[shapely.Polygon]:
    """Polygons covering the True pixels of ``gap``; row 0 is the top edge at ``y_top``."""
    boxes = []
    for row in range(gap.shape[0]):
        line = np.concatenate([[False], gap[row], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        y1 = y_top - row * pixel
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            boxes.append(shapely.box(x0 + a * pixel, y1 - pixel, x0 + b * pixel, y1))
    if not boxes:
        return []
    union = shapely.union_all(boxes).simplify(0.0)
    parts = getattr(union, "geoms", [union])
    return [shapely.geometry.polygon.orient(p) for p in parts]
