"""Image stacks: reading (TIFF, PNG slices, .npy), refusals in one line, downsampling,
placement on the cell and the labelled surfaces (no gmsh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.image_stack import stack as stack_module
from eisfem.geometry.image_stack.placement import place, stack_surfaces
from eisfem.geometry.image_stack.stack import ROLES, StackSpec, load_stack
from eisfem.geometry.image_stack.synthetic import LABELS, lens_stack

UM = 1e-6
VOXEL = (1e-6, 1e-6, 1e-6)


def lens(n: int = 20) -> np.ndarray:
    """A 20 µm patch, 4 µm of electrolyte, 4 µm of metal, one lens void of radius 6 µm."""
    return lens_stack(n, (1.0, 1.0, 1.0), 4.0, 4.0, np.array([[2.0, -1.0, 6.0, 2.5]]))


def save(path: Path, data: np.ndarray) -> Path:
    if path.suffix == ".npy":
        np.save(path, data)
    elif path.suffix == ".tif":
        tifffile.imwrite(path, data)
    else:
        path.mkdir()
        for k, page in enumerate(data):
            Image.fromarray(page).save(path / f"slice_{k:03d}.png")
    return path


def spec(path: Path, **kw) -> StackSpec:
    return StackSpec(path, kw.pop("voxel", VOXEL), kw.pop("labels", LABELS), **kw)


def test_formats_agree_and_orientation(tmp_path):
    data = lens()
    data[5, 0, 19] = LABELS["void"]  # a marker: slice 5, row 0 (top, largest y), last column
    roles = [load_stack(spec(save(tmp_path / n, data))).roles for n in ("a.npy", "a.tif", "png")]
    assert all(np.array_equal(roles[0], r) for r in roles[1:])
    x, y, z = 19, 19, 5  # (x, y, z) indexing with y growing upwards
    assert roles[0][x, y, z] == ROLES.index("void")
    assert roles[0].shape == (20, 20, 8)


def test_downsampling_takes_the_majority(tmp_path):
    data = np.zeros((4, 4, 4), dtype=np.uint8)
    data[2:, :, :] = LABELS["metal"]
    data[2, 0, 0] = data[3, 0, 1] = data[2, 1, 0] = LABELS["void"]  # 3 of 8 in one block
    data[1, 3, 3] = LABELS["void"]  # 1 of 8 in another
    s = load_stack(spec(save(tmp_path / "d.npy", data), downsample=(2, 2, 2)))
    assert s.voxel == (2e-6, 2e-6, 2e-6)
    expect = np.zeros((2, 2, 2), dtype=np.uint8)
    expect[:, :, 1] = ROLES.index("metal")  # 5 metal voxels beat 3 void ones
    assert np.array_equal(s.roles, expect)


def test_crop(tmp_path):
    data = lens()
    s = load_stack(
        spec(save(tmp_path / "c.npy", data), crop={"slices": (1, 7), "columns": (2, 12)})
    )
    assert s.shape == (10, 20, 6)
    assert np.array_equal(s.roles[:, ::-1, :].transpose(2, 1, 0), _roles(data[1:7, :, 2:12]))


def _roles(data: np.ndarray) -> np.ndarray:
    out = np.empty(data.shape, np.uint8)
    for k, r in enumerate(ROLES):
        out[data == LABELS[r]] = k
    return out


def _refusal(call, match: str) -> str:
    with pytest.raises(GeometryError, match=match) as err:
        call()
    assert "\n" not in str(err.value)
    return str(err.value)


def test_bad_stacks_refused(tmp_path, monkeypatch):
    grey = (np.arange(20 * 20 * 8) % 251).reshape(8, 20, 20).astype(np.uint8)
    no_metal = np.zeros((8, 20, 20), np.uint8)
    cases = [
        (np.zeros((20, 20), np.uint8), "interface.path: the stack must be 3D"),
        (grey, "interface.labels: the stack has 251 values; 248 are not labels"),
        (lens().astype(float) + 0.5, "not segmented"),
        (no_metal, "interface.labels.metal: no voxel has the value 2"),
    ]
    for k, (data, match) in enumerate(cases):
        path = save(tmp_path / f"bad{k}.npy", data)
        _refusal(lambda p=path: load_stack(spec(p)), match)
    path = save(tmp_path / "ok.npy", lens())
    _refusal(lambda: load_stack(spec(path, crop={"rows": (5, 30)})), r"interface.crop.rows")
    monkeypatch.setattr(stack_module, "MAX_VOXELS", 1000)
    msg = _refusal(lambda: load_stack(spec(path)), "interface.path: 8 × 20 × 20 voxels")
    assert "interface.downsample" in msg
    (tmp_path / "empty").mkdir()
    _refusal(lambda: load_stack(spec(tmp_path / "empty")), "no .png slices")


def test_placement_refusals(tmp_path):
    s = load_stack(spec(save(tmp_path / "s.npy", lens())))
    _refusal(lambda: place(s, 12.5e-6, 10e-6), r"cell.side: 1.25e-05 m is not a whole number")
    _refusal(lambda: place(s, 30e-6, 10e-6), "must cover the patch")
    _refusal(lambda: place(s, 20e-6, 1e-6), "cell.thickness: 1e-06 m is less than")
    flipped = load_stack(spec(save(tmp_path / "f.npy", lens()[::-1])))
    _refusal(lambda: place(flipped, 20e-6, 10e-6), "bottom slices of the stack must be all")
    floating = lens()
    floating[2, 3:5, 3:5] = LABELS["metal"]  # a metal speck inside the electrolyte
    f = load_stack(spec(save(tmp_path / "m.npy", floating)))
    _refusal(lambda: place(f, 20e-6, 10e-6), "1 piece.* of metal do not reach the top")
    island = lens()
    island[6, 8:10, 8:10] = LABELS["electrolyte"]  # electrolyte floating in the metal
    i = load_stack(spec(save(tmp_path / "i.npy", island)))
    _refusal(lambda: place(i, 20e-6, 10e-6), "of electrolyte do not reach the bottom")


def test_surfaces_on_the_cell(tmp_path):
    """Box faces stay planes (smoothing rounds them; they are put back), the flat contact sits
    at the cell thickness, the pore's floor and roof close its volume."""
    s = load_stack(spec(save(tmp_path / "s.npy", lens())))
    surf = stack_surfaces(place(s, 16e-6, 10e-6))  # cropped to the central 16 × 16 voxels
    p = surf.points
    assert set(surf.groups) == {
        tags.CE,
        tags.INSULATING,
        tags.WE_CONTACT,
        tags.WE_METAL,
        tags.PORE_FLOOR,
    }
    assert np.allclose(p[surf.groups[tags.CE]][..., 2], 0.0)
    walls = p[surf.groups[tags.INSULATING]]
    on_wall = np.isclose(np.abs(walls[..., :2]), 8.0).any(axis=2)
    assert on_wall.all()
    contact = p[surf.groups[tags.WE_CONTACT]]
    far = np.hypot(contact[..., 0] - 2, contact[..., 1] + 1).min(axis=1) > 8  # away from the rim
    assert np.allclose(contact[far][..., 2], 10.0)
    # the pore surface (floor + roof) is closed: every edge is shared by exactly two triangles
    pore = np.concatenate([surf.groups[tags.PORE_FLOOR], surf.groups[tags.WE_METAL]])
    edges = np.sort(pore[:, [[0, 1], [1, 2], [2, 0]]].reshape(-1, 2), axis=1)
    assert np.all(np.unique(edges, axis=0, return_counts=True)[1] == 2)
    assert surf.bounds[tags.PORE_FLOOR] == [tags.ELECTROLYTE, tags.PORE]
