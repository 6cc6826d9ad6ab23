"""Load a segmented 3D image stack (multi-page TIFF, a folder of PNG slices, or .npy) and check
it before any meshing: shape, size, labels, and the layering the cell model needs.

Array convention (as microscopes write stacks): index (slice, row, column) = (z, y, x); slice 0
is the counter-electrode side (bottom), row 0 the largest y (as in the 2D `image` kind). The
size guard runs on the header (memory map, TIFF series shape, PNG count × size) before a voxel
is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eisfem.core.errors import GeometryError

ROLES = ("electrolyte", "void", "metal")
MAX_VOXELS = 64_000_000  # after crop and downsampling: ~4 GB peak in surface extraction


@dataclass
class StackSpec:
    """A labelled stack and how to read it; lengths in metres, per axis (x, y, z)."""

    path: Path
    voxel_size: tuple[float, float, float]
    labels: dict[str, int]  # role (electrolyte, void, metal) -> voxel value
    crop: dict[str, tuple[int, int]] = field(default_factory=dict)  # slices/rows/columns
    downsample: tuple[int, int, int] = (1, 1, 1)  # x, y, z factors (majority of labels)
    where: str = "interface"  # config section named in error messages


@dataclass
class Stack:
    """Role per voxel, indexed (x, y, z) with y growing upwards, and the voxel size (m)."""

    roles: np.ndarray  # uint8, values index ROLES
    voxel: tuple[float, float, float]

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.roles.shape


def _png_files(path: Path) -> list[Path]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".png")
    if not files:
        raise GeometryError(f"interface.path: no .png slices in the folder {path}")
    return files


def _header_shape(path: Path) -> tuple[int, ...]:
    """The stack's shape without reading its voxels."""
    if path.is_dir():
        from PIL import Image

        files = _png_files(path)
        with Image.open(files[0]) as img:
            return (len(files), img.height, img.width)
    if path.suffix.lower() == ".npy":
        return tuple(np.load(path, mmap_mode="r").shape)
    import tifffile

    with tifffile.TiffFile(path) as tif:
        return tuple(tif.series[0].shape)


def _read(path: Path) -> np.ndarray:
    if path.is_dir():
        from PIL import Image

        slices = []
        for f in _png_files(path):
            with Image.open(f) as img:
                a = np.asarray(img)
            if a.ndim != 2:
                raise GeometryError(f"interface.path: {f.name} is not a single-channel slice")
            slices.append(a)
        if len({s.shape for s in slices}) > 1:
            raise GeometryError(f"interface.path: the PNG slices in {path} differ in size")
        return np.stack(slices)
    if path.suffix.lower() == ".npy":
        return np.load(path, allow_pickle=False)
    import tifffile

    return tifffile.imread(path)


def _cropped_shape(shape: tuple[int, ...], spec: StackSpec) -> list[tuple[int, int]]:
    ranges = []
    for axis, name in enumerate(("slices", "rows", "columns")):
        a, b = spec.crop.get(name, (0, shape[axis]))
        if not 0 <= a < b <= shape[axis]:
            raise GeometryError(
                f"{spec.where}.crop.{name}: [{a}, {b}) must lie within [0, {shape[axis]}) "
                "and be non-empty"
            )
        ranges.append((a, b))
    return ranges


def _majority(roles: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """Downsample by blocks, each block taking its most frequent role (ties: lower role).

    Label maps cannot be averaged; the majority keeps every region whose features span
    more than half a block, and drops what is smaller (reported by the caller).
    """
    if factors == (1, 1, 1):
        return roles
    n = [s // f * f for s, f in zip(roles.shape, factors, strict=True)]
    r = roles[: n[0], : n[1], : n[2]]
    fx, fy, fz = factors
    blocks = r.reshape(n[0] // fx, fx, n[1] // fy, fy, n[2] // fz, fz)
    counts = np.stack([(blocks == k).sum(axis=(1, 3, 5)) for k in range(len(ROLES))])
    return counts.argmax(axis=0).astype(np.uint8)


def load_stack(spec: StackSpec) -> Stack:
    """Read, check, crop and downsample ``spec``; every refusal is one line naming the field."""
    w = spec.where
    path = Path(spec.path)
    try:
        shape = _header_shape(path)
    except GeometryError:
        raise
    except Exception as exc:  # PIL, tifffile and numpy raise many kinds for bad files
        raise GeometryError(f"{w}.path: cannot read {path.name} ({exc})") from None
    if len(shape) != 3:
        raise GeometryError(
            f"{w}.path: the stack must be 3D (slices, rows, columns); got shape {tuple(shape)}"
        )
    ranges = _cropped_shape(shape, spec)
    kept = [b - a for a, b in ranges]
    f = spec.downsample
    voxels = int(np.prod([k // d for k, d in zip(kept[::-1], f, strict=True)]))
    if voxels > MAX_VOXELS:
        raise GeometryError(
            f"{w}.path: {' × '.join(map(str, kept))} voxels after crop and downsampling is "
            f"{voxels / 1e6:.0f} M (at most {MAX_VOXELS / 1e6:.0f} M); "
            f"use {w}.crop or {w}.downsample"
        )
    try:
        data = _read(path)
    except GeometryError:
        raise
    except Exception as exc:
        raise GeometryError(f"{w}.path: cannot read {path.name} ({exc})") from None
    data = data[tuple(slice(a, b) for a, b in ranges)]
    roles = _roles(data, spec)
    zyx_to_xyz = roles[:, ::-1, :].transpose(2, 1, 0)  # row 0 is the top (largest y)
    roles = _majority(np.ascontiguousarray(zyx_to_xyz), f)
    if min(roles.shape) < 2:
        raise GeometryError(f"{w}.downsample: leaves {roles.shape} voxels; at least 2 per axis")
    dx, dy, dz = spec.voxel_size
    return Stack(roles, (dx * f[0], dy * f[1], dz * f[2]))


def _roles(data: np.ndarray, spec: StackSpec) -> np.ndarray:
    """Voxel values to role indices; refuses unsegmented stacks and missing labels."""
    w = spec.where
    if not np.issubdtype(data.dtype, np.integer) and not np.all(np.mod(data, 1) == 0):
        raise GeometryError(f"{w}.path: the stack is not segmented (non-integer voxel values)")
    values = np.unique(data)
    wanted = {spec.labels[r]: r for r in ROLES}
    extra = [v for v in values.tolist() if v not in wanted]
    if extra:
        shown = ", ".join(map(str, extra[:5])) + (", ..." if len(extra) > 5 else "")
        raise GeometryError(
            f"{w}.labels: the stack has {values.size} values; {len(extra)} are not labels "
            f"({shown}); segment it into {', '.join(f'{r} {spec.labels[r]}' for r in ROLES)}"
        )
    out = np.empty(data.shape, dtype=np.uint8)
    for k, role in enumerate(ROLES):
        hit = data == spec.labels[role]
        if not hit.any() and role != "void":
            raise GeometryError(f"{w}.labels.{role}: no voxel has the value {spec.labels[role]}")
        out[hit] = k
    return out
