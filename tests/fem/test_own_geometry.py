"""Meshes from image stacks and from users' files, solved: closed forms and invariants."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.core.errors import ConfigError
from eisfem.geometry import tags
from eisfem.geometry.image_stack.bundle import StackMeshOptions, generate_stack
from eisfem.geometry.image_stack.stack import StackSpec
from eisfem.geometry.image_stack.synthetic import LABELS, lens_stack
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.materials import EPS0

SIGMA, EPS_R = 0.55, 30.0  # NZSP-like, as in the demo
MATERIALS = {
    "electrolyte": {"conductivity": SIGMA, "permittivity": EPS_R},
    "pore": {"permittivity": 1},
}
FREQS = np.array([1e9, 1e7, 1e5])


def stack_config(path: Path, thickness: str = "10 um", side: str = "16 um", **interface):
    return parse_config(
        {
            "name": "stack",
            "cell": {"shape": "patch", "side": side, "thickness": thickness},
            "interface": {
                "kind": "volume_image",
                "path": str(path),
                "voxel_size": "1 um",
                "labels": LABELS,
                **interface,
            },
            "materials": MATERIALS,
            "solver": {"degree": 1},
        }
    )


def test_flat_stack_is_a_slab(tmp_path):
    """A stack without voids is a slab: Z = t / (κ A) exactly (P1 is exact for a linear φ)."""
    data = lens_stack(16, (1.0, 1.0, 1.0), 4.0, 3.0, np.empty((0, 4)))
    np.save(tmp_path / "flat.npy", data)
    cfg = stack_config(tmp_path / "flat.npy")
    bundle = build_mesh(cfg)
    assert bundle.info["contact_fraction"] == pytest.approx(1.0, abs=1e-12)
    z = build_system(cfg, bundle).direct_impedance(FREQS)
    kappa = SIGMA + 1j * 2 * np.pi * FREQS * EPS0 * EPS_R
    assert np.allclose(z, 10e-6 / (kappa * 16e-6**2), rtol=1e-9, atol=0)


def test_lens_stack_mesh(tmp_path):
    """A lens void and a bubble: the surfaces conform (one mesh, both volumes), the same
    stack gives the same mesh twice, the contact fraction is within a voxel rim of the voxel
    count, and the constriction adds resistance to the slab while staying passive."""
    import gmsh

    data = lens_stack(24, (1.0, 1.0, 1.0), 6.0, 4.0, np.array([[1.0, 0.0, 7.0, 2.5]]))
    data[3:5, 3:6, 3:6] = LABELS["void"]  # a bubble in the electrolyte: a hole in its volume
    np.save(tmp_path / "lens.npy", data)
    spec = StackSpec(tmp_path / "lens.npy", (1e-6,) * 3, LABELS)
    nodes = []
    for _ in range(2):
        gmsh.initialize()
        gmsh.option.setNumber("General.Terminal", 0)
        info = generate_stack(spec, 20e-6, 10e-6, StackMeshOptions())
        nodes.append(gmsh.model.mesh.getNodes()[1])
        gmsh.finalize()
    assert np.array_equal(nodes[0], nodes[1])
    assert info["pore_count"] == 2
    voxels = data[6, 2:22, 2:22] == LABELS["metal"]  # metal on the plane, cropped to 20 µm
    rim = 2 * np.pi * 7.0 * 1.0 / 400  # one voxel wide ring along the rim, as a fraction
    assert abs(info["contact_fraction"] - voxels.mean()) < rim
    cfg = stack_config(tmp_path / "lens.npy", side="20 um")
    bundle = build_mesh(cfg)
    assert {tags.WE_CONTACT, tags.WE_METAL, tags.PORE_FLOOR, tags.PORE} <= set(bundle.groups)
    f = np.array([1e5, 1e3])
    z = build_system(cfg, bundle).direct_impedance(f)
    slab = 10e-6 / (SIGMA * 20e-6**2)
    assert np.all(z.real > slab * 1.01)
    assert np.all(z.real > 0)


def test_user_mesh_round_trip(tmp_path):
    """eisfem's own mesh exported to VTU (numbers) and Gmsh 2.2 (names) and read back as
    `cell.shape: mesh` gives the same impedance to rounding."""
    raw = {
        "name": "pores",
        "cell": {"shape": "patch", "side": "20 um", "thickness": "5 um"},
        "interface": {"kind": "pores", "radius": "7 um", "height": "1 um", "spacing": "20 um"},
        "materials": MATERIALS,
        "solver": {"degree": 1},
        "mesh": {"geometry_order": 1},  # linear tetrahedra: what user meshes may hold
    }
    cfg = parse_config(raw)
    bundle = build_mesh(cfg, tmp_path / "mesh.msh")
    z0 = build_system(cfg, bundle).direct_impedance(FREQS)
    mesh = meshio.read(tmp_path / "mesh.msh")
    meshio.write(tmp_path / "mesh.vtu", mesh)
    numbers = {name: int(v[0]) for name, v in mesh.field_data.items()}
    vtu = {
        "shape": "mesh",
        "path": str(tmp_path / "mesh.vtu"),
        "units": "1 um",
        "volumes": {r: numbers[r] for r in ("electrolyte", "pore")},
        "surfaces": {r: numbers[r] for r in ("we_contact", "we_metal", "ce")},
    }
    by_name = vtu | {
        "path": str(tmp_path / "mesh.msh"),
        "volumes": {r: r for r in ("electrolyte", "pore")},
        "surfaces": {r: r for r in ("we_contact", "we_metal", "ce")},
    }
    for cell in (vtu, by_name):
        user = parse_config({k: v for k, v in raw.items() if k != "interface"} | {"cell": cell})
        b = build_mesh(user)
        z = build_system(user, b).direct_impedance(FREQS)
        assert np.allclose(z, z0, rtol=1e-10, atol=0)
        assert b.info["electrode_area_m2"] == pytest.approx(bundle.electrode_area, rel=1e-12)
        assert b.info["contact_fraction"] == pytest.approx(
            bundle.info["contact_fraction"], rel=2e-3
        )


def test_user_mesh_thin_gaps(tmp_path):
    """Thin gaps of a user's mesh (we_gap triangles with `cell.gap_height`) carry the same
    surface admittance as eisfem's own thin-gap pores of that height."""
    raw = {
        "name": "thin",
        "cell": {"shape": "patch", "side": "20 um", "thickness": "5 um"},
        "interface": {
            "kind": "pores",
            "radius": "7 um",
            "height": "100 nm",
            "spacing": "20 um",
            "gap_model": "thin",
        },
        "materials": MATERIALS,
        "solver": {"degree": 1},
        "mesh": {"geometry_order": 1},  # linear tetrahedra: what user meshes may hold
    }
    cfg = parse_config(raw)
    z0 = build_system(cfg, build_mesh(cfg, tmp_path / "mesh.msh")).direct_impedance(FREQS)
    cell = {
        "shape": "mesh",
        "path": str(tmp_path / "mesh.msh"),
        "units": "1 um",
        "volumes": {"electrolyte": "electrolyte"},
        "surfaces": {r: r for r in ("we_contact", "we_gap", "ce")},
        "gap_height": "100 nm",
    }
    user = parse_config({k: v for k, v in raw.items() if k != "interface"} | {"cell": cell})
    z = build_system(user, build_mesh(user)).direct_impedance(FREQS)
    assert np.allclose(z, z0, rtol=1e-10, atol=0)
    without = cell | {"gap_height": None}
    with pytest.raises(ConfigError, match="gap_height is required"):
        parse_config({k: v for k, v in raw.items() if k != "interface"} | {"cell": without})
