"""Geometry: the physical-group contract, counts, areas and volumes match the request."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.geometry import tags
from eisfem.geometry.footprint import cap_volume
from eisfem.simulation.model import build_mesh
from tests.helpers import bundle_of, cell_volume, facet_area, nzsp


def test_cylinder_pores_in_patch():
    r, h, s, side = 20e-6, 0.2e-6, 50e-6, 100e-6
    _cfg, b = bundle_of(
        cell={"shape": "patch", "side": side, "thickness": 30e-6},
        interface={"kind": "pores", "radius": r, "height": h, "spacing": s},
    )
    assert set(b.groups) == {
        tags.ELECTROLYTE,
        tags.PORE,
        tags.WE_CONTACT,
        tags.WE_METAL,
        tags.CE,
        tags.INSULATING,
        tags.PORE_FLOOR,
    }
    assert b.info["pore_count"] == 4
    fraction = 4 * math.pi * r**2 / side**2
    assert b.info["pore_area_fraction"] == pytest.approx(fraction, rel=1e-6)
    assert b.info["contact_fraction"] == pytest.approx(1 - fraction, rel=1e-6)
    assert b.info["pore_volume_m3"] == pytest.approx(4 * math.pi * r**2 * h, rel=1e-6)
    # the DOLFINx mesh (polygonal rims) agrees with the CAD measures to the rim discretisation
    assert facet_area(b, tags.PORE_FLOOR) == pytest.approx(fraction * side**2, rel=5e-3)
    assert facet_area(b, tags.WE_CONTACT) == pytest.approx((1 - fraction) * side**2, rel=5e-3)
    assert facet_area(b, tags.CE) == pytest.approx(side**2, rel=1e-9)
    assert cell_volume(b, tags.PORE) == pytest.approx(b.info["pore_volume_m3"], rel=5e-3)
    assert b.info["quality_min_sicn"] > 0
    assert b.mesh.geometry.x[:, 2].max() == pytest.approx(30e-6 + h, rel=1e-9)  # metres


def test_lens_pores_on_pellet_lattice():
    r, h, s, R = 15e-6, 3e-6, 40e-6, 70e-6
    _cfg, b = bundle_of(
        cell={"shape": "cylinder", "radius": R, "thickness": 40e-6},
        interface={"kind": "pores", "shape": "lens", "radius": r, "height": h, "spacing": s},
    )
    # lattice nodes at multiples of 40 µm whose pore (plus the default 0.1 r margin) fits in R
    nodes = [(i * s, j * s) for i in range(-2, 3) for j in range(-2, 3)]
    expected = sum(math.hypot(x, y) + 1.1 * r <= R for x, y in nodes)
    assert b.info["pore_count"] == expected == 5
    assert b.info["pore_volume_m3"] == pytest.approx(expected * cap_volume("lens", r, h), rel=1e-4)
    assert b.info["pore_area_fraction"] == pytest.approx(expected * r**2 / R**2, rel=1e-4)
    assert tags.WE_METAL in b.groups and tags.PORE_FLOOR in b.groups


def test_disk_contact_tags():
    a = 10e-6
    _cfg, b = bundle_of(
        cell={"shape": "cylinder", "radius": 60e-6, "thickness": 60e-6},
        interface={"kind": "disk", "radius": a},
    )
    assert b.electrode_area == pytest.approx(math.pi * a**2)
    assert facet_area(b, tags.WE_CONTACT) == pytest.approx(math.pi * a**2, rel=1e-2)
    assert tags.PORE not in b.groups and tags.WE_METAL not in b.groups


def test_interphase_layer_is_its_own_volume():
    side, d = 50e-6, 2e-6
    _cfg, b = bundle_of(
        cell={"shape": "patch", "side": side, "thickness": 20e-6},
        interphase={"thickness": d, "conductivity": 1e-3, "permittivity": 10},
    )
    assert cell_volume(b, tags.INTERPHASE) == pytest.approx(side**2 * d, rel=1e-9)
    assert cell_volume(b, tags.ELECTROLYTE) == pytest.approx(side**2 * 20e-6, rel=1e-9)
    z = b.mesh.geometry.x[:, 2]
    assert np.isclose(z.max(), 22e-6)


def test_mesh_file_is_written(tmp_path):
    cfg = parse_config(
        {
            "materials": nzsp(),
            "cell": {"shape": "patch", "side": 50e-6, "thickness": 20e-6},
        }
    )
    build_mesh(cfg, tmp_path / "mesh.msh")
    text = (tmp_path / "mesh.msh").read_text(errors="replace")
    assert "$PhysicalNames" in text and '"we_contact"' in text
