"""`eisfem fit` on FEM spectra: hidden morphologies recovered, degeneracy reported, meshes reused.

The "measured" spectra are eisfem's own, computed at hidden values with the fit's model (the
mesh sizes it pins at its starting point), so a noise-free round trip must return the hidden
values up to the re-meshing jitter (a few 1e-4 in Z): the issue asks for 2 %. Small meshes
(P1, patches of 40 µm), 10 frequencies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eisfem.inverse import evaluate
from eisfem.inverse.fit import estimate, pin_mesh
from eisfem.inverse.fitfile import parse_fit
from tests.helpers import nzsp

LOG = "log"
NZSP = nzsp()
PATCH = {"shape": "patch", "side": "40 um", "thickness": "20 um"}
DISK_CELL = {"shape": "cylinder", "radius": "100 um", "thickness": "100 um"}


def problem_of(tmp_path: Path, base: dict, free: dict):
    raw = {"base": base | {"materials": NZSP, "solver": {"degree": 1}}, "measured": {"path": "-"}}
    return pin_mesh(parse_fit(raw | {"free": free}, tmp_path / "fit.yaml"))


def round_trip(tmp_path, base, free, hidden, f_max=1e8, f_min=1e4, noise=0.0, seed=0):
    problem = problem_of(tmp_path, base, free)
    frequency = np.logspace(np.log10(f_max), np.log10(f_min), 10)
    z = evaluate.simulate(problem.config(np.array(hidden)).resolved_dict(), frequency)["impedance"]
    rng = np.random.default_rng(seed)
    z = z + noise * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    folder = tmp_path / "fit"
    folder.mkdir()
    return estimate(problem, frequency, z, folder)


def assert_recovered(est, hidden):
    np.testing.assert_allclose(est.values, hidden, rtol=0.02)
    assert est.evaluations["failed"] == 0


def test_disk_contact_radius(tmp_path: Path):
    base = {"cell": DISK_CELL, "interface": {"kind": "disk", "radius": "20 um"}}
    free = {"interface.radius": {"low": "10 um", "high": "40 um", "scale": "log"}}
    est = round_trip(tmp_path, base, free, [27e-6])
    assert_recovered(est, [27e-6])


@pytest.mark.slow
def test_contact_spots_radius_and_gap_height(tmp_path: Path):
    spot = {"kind": "spots", "placement": "single", "radius": "8 um", "height": "200 nm"}
    free = {
        "interface.radius": {"low": "4 um", "high": "14 um"},
        "interface.height": {"low": "50 nm", "high": "1 um", "scale": "log"},
    }
    est = round_trip(tmp_path, {"cell": PATCH, "interface": spot}, free, [10.5e-6, 350e-9])
    assert_recovered(est, [10.5e-6, 350e-9])


@pytest.mark.slow
def test_pore_array_area_fraction_and_height(tmp_path: Path):
    pores = {
        "kind": "pores",
        "shape": "cylinder",
        "placement": "square",
        "spacing": "20 um",
        "area_fraction": 0.3,
        "height": "100 nm",
    }
    free = {
        "interface.area_fraction": {"low": 0.1, "high": 0.6},
        "interface.height": {"low": "20 nm", "high": "500 nm", "scale": "log"},
    }
    est = round_trip(tmp_path, {"cell": PATCH, "interface": pores}, free, [0.42, 60e-9])
    assert_recovered(est, [0.42, 60e-9])


def test_microcontact_radius_and_conductivity_trade_off(tmp_path: Path):
    """Far below the electrolyte's dielectric relaxation (~300 MHz) a microcontact is a pure
    spreading resistance ∝ 1/(σ·a), per contact area ∝ a/σ: radius and conductivity trade off
    along a/σ = const. With 0.5 % noise the fit must say so: a named degenerate direction and
    intervals that run to the bounds."""
    base = {"cell": DISK_CELL, "interface": {"kind": "disk", "radius": "20 um"}}
    free = {
        "interface.radius": {"low": "10 um", "high": "40 um", "scale": "log"},
        "materials.electrolyte.conductivity": {"low": "2 mS/cm", "high": "20 mS/cm", "scale": LOG},
    }
    est = round_trip(tmp_path, base, free, [25e-6, 0.55], f_max=1e5, f_min=1e3, noise=0.005, seed=4)
    ident = est.identifiability
    (named,) = ident["degenerate_directions"]
    assert named["direction"] == "interface.radius^1.00 · materials.electrolyte.conductivity^1.00"
    assert "interface.radius^1.00 · materials.electrolyte.conductivity^-1.00" in named["meaning"]
    for p in est.parameters.values():
        assert p["ci95_reaches_bounds"]
        assert p["ci95"][1] / p["ci95"][0] > 1.5
    ratio = est.values[0] / est.values[1]  # what the data do fix: a/σ
    assert ratio == pytest.approx(25e-6 / 0.55, rel=0.02)


def test_material_fit_meshes_once(tmp_path: Path):
    """Only material fields free: one mesh for the starting sizes, one for the whole fit."""
    base = {"cell": PATCH, "interface": {"kind": "disk", "radius": "10 um"}}
    free = {
        "materials.electrolyte.conductivity": {"low": "1 mS/cm", "high": "50 mS/cm", "scale": LOG},
        "materials.electrolyte.permittivity": {"low": 5, "high": 200, "scale": "log"},
    }
    before = evaluate.stats["meshes"]
    est = round_trip(tmp_path, base, free, [0.2, 60.0], f_max=1e9, f_min=1e6)
    assert_recovered(est, [0.2, 60.0])
    assert est.evaluations["total"] > 10
    assert evaluate.stats["meshes"] - before == 2
