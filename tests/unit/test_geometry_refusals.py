"""Bad geometry is refused before meshing, in one line naming the field and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.core.errors import ConfigError
from tests.helpers import nzsp

PATCH = {"shape": "patch", "side": "40 um", "thickness": "20 um"}
PELLET = {"shape": "cylinder", "radius": "50 um", "thickness": "20 um"}
PORES = {"kind": "pores", "height": "100 nm"}
ROUGH = {"kind": "rough", "ra": "0.2 um", "correlation_length": "4 um"}
STRIPES = {"kind": "collector", "pattern": "stripes", "height": "100 nm"}
STRIPED = STRIPES | {"stripe_width": "5 um", "stripe_period": "10 um"}

CASES = {
    "overlapping lattice": (
        PATCH,
        PORES | {"radius": "10 um", "spacing": "20 um"},
        ["interface.spacing", ">= 2 × radius + min_distance"],
    ),
    "area fraction above 1": (
        PATCH,
        PORES | {"placement": "random", "radius": "2 um", "area_fraction": 1.5},
        ["interface.area_fraction", "<= 1"],
    ),
    "contact fraction 0": (
        PATCH,
        ROUGH | {"contact_fraction": 0},
        ["interface.contact_fraction", "> 0"],
    ),
    "impossible count": (
        PATCH,
        PORES | {"placement": "random", "radius": "5 um", "count": 14},
        ["interface.count", "non-overlapping"],
    ),
    "count beyond the area": (
        PATCH,
        PORES | {"placement": "random", "radius": "5 um", "count": 30},
        ["interface.count", "cover more than the electrode"],
    ),
    "disk outside the electrode": (
        PELLET,
        {"kind": "spots", "placement": "single", "radius": "50 um", "height": "1 um"},
        ["interface.radius", "does not fit"],
    ),
    "electrode off the pellet": (
        PELLET | {"electrode_radius": "30 um", "electrode_offset": "25 um"},
        {"kind": "full"},
        ["cell.electrode_radius + cell.electrode_offset", "<= cell.radius"],
    ),
    "lens taller than wide": (
        PATCH,
        PORES | {"shape": "lens", "placement": "single", "radius": "1 um", "height": "2 um"},
        ["interface.height", "<= the pore radius"],
    ),
    "indentation through the surface": (
        PATCH,
        ROUGH | {"indentation": "5 um"},
        ["interface.indentation", "peak-to-valley"],
    ),
    "stripes wider than their period": (
        PATCH,
        STRIPES | {"stripe_width": "20 um", "stripe_period": "10 um"},
        ["interface.stripe_width", "< interface.stripe_period"],
    ),
    "stripes off the patch period": (
        PATCH,
        STRIPES | {"stripe_width": "5 um", "stripe_period": "15 um"},
        ["cell.side", "whole multiple of interface.stripe_period"],
    ),
    "nuclei that do not fit": (
        PATCH,
        STRIPED | {"nuclei_radius": "3 um", "nuclei_density": "0.05 um^-2"},
        ["interface.nuclei_density", "fit in the gaps"],
    ),
    "filament through the pellet": (
        PATCH,
        STRIPED | {"filament": {"radius": "1 um", "depth": "19 um"}},
        ["interface.filament.depth", "< 0.9 × cell.thickness"],
    ),
    "filament wider than the electrode": (
        PATCH,
        STRIPED | {"filament": {"radius": "19 um", "depth": "5 um"}},
        ["interface.filament.radius", "half width"],
    ),
    "filament of zero radius": (
        PATCH,
        STRIPED | {"filament": {"radius": 0, "depth": "5 um"}},
        ["interface.filament.radius", "> 0"],
    ),
    "random placement without a count": (
        PATCH,
        PORES | {"placement": "random", "radius": "2 um"},
        ["exactly one of interface.count or interface.area_fraction"],
    ),
    "spread for fixed radii": (
        PATCH,
        PORES | {"placement": "random", "radius": "2 um", "count": 3, "radius_sd": "1 um"},
        ["interface.radius_sd does not apply"],
    ),
    "correlation length far below the electrode": (
        PELLET | {"radius": "5 mm"},
        ROUGH | {"contact_fraction": 0.3},
        ["interface.correlation_length", "grid nodes"],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_refused_with_one_line_naming_the_field(name):
    cell, interface, needles = CASES[name]
    with pytest.raises(ConfigError) as err:
        parse_config({"materials": nzsp(), "cell": cell, "interface": interface}, "c.yaml")
    msg = str(err.value)
    assert "\n" not in msg, msg
    for needle in needles:
        assert needle in msg, msg


def test_mask_problems_are_refused(tmp_path):
    from PIL import Image

    grey = (np.arange(64).reshape(8, 8) * 4).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    binary = np.ones((8, 8), bool)
    binary[2:4, 2:4] = False
    np.save(tmp_path / "small.npy", binary)
    np.save(tmp_path / "gaps.npy", np.zeros((8, 8), bool))
    image = {"kind": "image", "height": "100 nm", "pixel_size": "5 um"}
    cases = {
        "grey.png": ["interface.path", "binary"],
        "small.npy": ["interface.pixel_size", "must cover the electrode"],
        "gaps.npy": ["interface.path", "no contact pixel"],
        "missing.png": ["interface.path", "no such file"],
    }
    for name, needles in cases.items():
        size = "4 um" if name == "small.npy" else "5 um"
        iface = image | {"path": str(tmp_path / name), "pixel_size": size}
        with pytest.raises(ConfigError) as err:
            parse_config({"materials": nzsp(), "cell": PATCH, "interface": iface}, "c.yaml")
        msg = str(err.value)
        assert "\n" not in msg and all(n in msg for n in needles), msg


def test_relative_mask_paths_are_read_from_the_config_folder(tmp_path):
    from eisfem.config import load_config

    np.save(tmp_path / "map.npy", np.eye(8, dtype=bool) | True)
    (tmp_path / "run.yaml").write_text(
        "cell: {shape: patch, side: 40 um, thickness: 20 um}\n"
        "interface: {kind: image, path: map.npy, pixel_size: 5 um, height: 100 nm}\n"
        "materials: {electrolyte: {conductivity: 1 S/m}}\n"
    )
    cfg = load_config(tmp_path / "run.yaml")
    assert cfg.interface.path == str((tmp_path / "map.npy").resolve())
