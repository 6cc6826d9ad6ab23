"""Config sections of user meshes and image stacks: one-line refusals naming the field."""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.core.errors import ConfigError
from eisfem.geometry.image_stack.synthetic import LABELS, lens_stack

MATERIALS = {"electrolyte": {"conductivity": 0.5, "permittivity": 30}}


def stack_file(tmp_path, data=None):
    data = lens_stack(20, (1.0, 1.0, 1.0), 4.0, 4.0, np.empty((0, 4))) if data is None else data
    np.save(tmp_path / "s.npy", data)
    return str(tmp_path / "s.npy")


def config(cell, interface=None):
    raw = {"cell": cell, "materials": MATERIALS}
    return raw | ({"interface": interface} if interface else {})


def image(path, **kw):
    return {"kind": "volume_image", "path": path, "voxel_size": "1 um", "labels": LABELS, **kw}


PATCH = {"shape": "patch", "side": "20 um", "thickness": "10 um"}


def refused(raw, match):
    with pytest.raises(ConfigError, match=match) as err:
        parse_config(raw)
    assert "\n" not in str(err.value)


def test_valid_stack_config(tmp_path):
    cfg = parse_config(config(PATCH, image(stack_file(tmp_path), voxel_size=["1 um"] * 3)))
    spec = cfg.interface.spec()
    assert spec.voxel_size == (1e-6, 1e-6, 1e-6) and spec.downsample == (1, 1, 1)


def test_stack_refusals(tmp_path):
    path = stack_file(tmp_path)
    refused(config(PATCH, image(path, voxel_size=["1 um", "1 um"])), "interface.voxel_size")
    refused(config(PATCH, image(str(tmp_path / "none.npy"))), "no such file")
    refused(config(PATCH, image(str(tmp_path / "s.raw"))), "TIFF|.tif")
    cylinder = {"shape": "cylinder", "radius": "10 um", "thickness": "10 um"}
    refused(config(cylinder, image(path)), "volume_image needs cell.shape patch")
    refused(config(PATCH | {"layout": "symmetric"}, image(path)), "layout half")
    refused(config(PATCH | {"side": "30 um"}, image(path)), "must cover the patch")
    grey = stack_file(tmp_path, np.arange(8 * 20 * 20).reshape(8, 20, 20) % 7)
    refused(config(PATCH, image(grey)), "interface.labels: the stack has 7 values")


def test_mesh_cell_refusals(tmp_path):
    cell = {
        "shape": "mesh",
        "path": str(tmp_path / "m.vtu"),
        "units": "1 um",
        "volumes": {"electrolyte": 1},
        "surfaces": {"ce": 2, "we_contact": 3},
    }
    refused(config(cell), "cell.path: no such file")
    (tmp_path / "m.vtu").write_text("not a mesh")
    refused(config(cell), "meshio cannot read m.vtu")
    refused(config(cell | {"volumes": {"metal": 1}}), "cell.volumes")
    pores = {"kind": "pores", "radius": "1 um", "height": "1 um", "spacing": "5 um"}
    refused(config(cell, pores), "carries its interface in the mesh")
