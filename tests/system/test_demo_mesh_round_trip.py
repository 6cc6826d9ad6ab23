"""The demo's own mesh, exported from Gmsh to VTU with meshio and read back as
`cell.shape: mesh`, gives the demo's impedance to 1e-10."""

from __future__ import annotations

import meshio
import numpy as np
import pytest

from eisfem.config import load_config, parse_config, read_yaml
from eisfem.simulation.model import build_mesh, build_system
from tests.helpers import DEMO


def test_demo_through_vtu(tmp_path):
    cfg = load_config(DEMO, ["mesh.geometry_order=1"])  # linear tetrahedra (user meshes)
    freqs = np.array([1e9, 1e7, 1e5, 1e3])
    demo = build_mesh(cfg, tmp_path / "demo.msh")
    z_demo = build_system(cfg, demo).direct_impedance(freqs)
    mesh = meshio.read(tmp_path / "demo.msh")
    meshio.write(tmp_path / "demo.vtu", mesh)  # VTU keeps the numbers, not the names
    number = {name: int(v[0]) for name, v in mesh.field_data.items()}
    raw = read_yaml(DEMO)
    raw["mesh"] = {"geometry_order": 1}
    del raw["interface"]
    raw["cell"] = {
        "shape": "mesh",
        "path": str(tmp_path / "demo.vtu"),
        "units": "1 um",
        "volumes": {r: number[r] for r in ("electrolyte", "pore")},
        "surfaces": {r: number[r] for r in ("we_contact", "we_metal", "ce", "insulating")},
    }
    user = parse_config(raw)
    bundle = build_mesh(user)
    z = build_system(user, bundle).direct_impedance(freqs)
    assert np.max(np.abs(z - z_demo) / np.abs(z_demo)) < 1e-10
    assert bundle.electrode_area == pytest.approx(demo.electrode_area, rel=1e-12)


def test_user_mesh_run_folder(tmp_path):
    """`eisfem run` on a user's mesh writes a complete run folder with the geometry report."""
    import json

    from eisfem.cli import main

    raw = {
        "name": "pores",
        "cell": {"shape": "patch", "side": "20 um", "thickness": "5 um"},
        "interface": {"kind": "pores", "radius": "7 um", "height": "1 um", "spacing": "20 um"},
        "materials": {"electrolyte": {"conductivity": 0.55, "permittivity": 30}},
        "solver": {"degree": 1},
        "mesh": {"geometry_order": 1},
    }
    build_mesh(parse_config(raw), tmp_path / "mesh.msh")
    meshio.write(tmp_path / "mesh.vtu", meshio.read(tmp_path / "mesh.msh"))
    number = {n: int(v[0]) for n, v in meshio.read(tmp_path / "mesh.msh").field_data.items()}
    config = tmp_path / "user.yaml"
    config.write_text(
        "name: user\n"
        "cell: {shape: mesh, path: mesh.vtu, units: 1 um,\n"
        f"  volumes: {{electrolyte: {number['electrolyte']}, pore: {number['pore']}}},\n"
        f"  surfaces: {{we_contact: {number['we_contact']}, we_metal: {number['we_metal']},"
        f" ce: {number['ce']}}}}}\n"
        "materials: {electrolyte: {conductivity: 0.55, permittivity: 30}}\n"
        "frequencies: {max: 1 GHz, min: 1 kHz, points_per_decade: 1}\n"
        "solver: {degree: 1}\n"
    )
    out = tmp_path / "run"
    assert main(["run", str(config), "--out", str(out), "--quiet"]) == 0
    geometry = json.loads((out / "summary.json").read_text())["geometry"]
    assert 0 < geometry["contact_fraction"] < 1
    assert geometry["plan"]["electrode_area"] == "projected"
