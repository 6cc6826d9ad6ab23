"""A real run's analysis files: circuit fit, DRT, current maps, and its ParaView files in ParaView.

One small run of the demo geometry (P1, 3 points per decade) is shared by all tests here. The
fit is checked against closed forms that hold whatever the constriction: the electrolyte's
bulk arc has R = L/(σA), C = ε0εr·A/L and its apex at σ/(2πε0εr) (a homogeneous medium
between equipotentials: Z = 1/(κ(ω)·G) for any shape G; at the bulk relaxation the pore
roofs are already short-circuited through the 20 nm gaps, so G = A/L).
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eisfem.config import load_config
from eisfem.postprocess.impedance import log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.materials import EPS0
from eisfem.solvers.spectrum import solve_spectrum
from tests.helpers import DEMO
from tests.system.conftest import DEMO_SETTINGS, demo_arguments

HERE = Path(__file__).resolve().parent


@pytest.fixture
def run(demo_run: Path) -> Path:
    return demo_run


@pytest.fixture
def summary(demo_summary: dict) -> dict:
    return demo_summary


def test_analysis_files(run: Path):
    for name in ("fit.csv", "drt.csv", "open_in_paraview.py"):
        assert (run / name).stat().st_size > 100
    for name in ("nyquist.png", "bode.png", "drt.png", "current_map.png", "potential_section.png"):
        assert (run / name).stat().st_size > 20_000, name


def test_fit_names_bulk_and_constriction_arcs(run: Path, summary: dict):
    fit = summary["fit"]
    assert [a["label"] for a in fit["arcs"]] == ["bulk", "cstr"]
    assert fit["circuit"] == "R(RQ)(RQ)"
    assert "Hsu-Mansfeld" in fit["capacitance_method"]
    rows = list(csv.DictReader((run / "fit.csv").open()))
    assert [r["label"] for r in rows] == ["series", "bulk", "cstr"]
    assert float(rows[2]["R_ohm_cm2"]) == pytest.approx(fit["R_cstr_ohm_cm2"], rel=1e-6)
    # the constriction arc is a distributed process, not an ideal R‖CPE: a few per mille
    assert fit["residual_max_relative"] < 0.02
    assert fit["n_cstr"] > 0.9
    # the apexes of the fitted arcs are those of the spectrum (to the 3-per-decade grid)
    for arc, apex in zip(fit["arcs"], summary["arcs"], strict=True):
        assert abs(math.log10(arc["apex_frequency_Hz"] / apex["apex_frequency_Hz"])) < 0.1


def test_bulk_arc_matches_closed_form(summary: dict):
    """R = L/(σA), C = ε0εr·A/L, f_apex = σ/(2πε0εr), within 2 % (P1 mesh, overlapping arcs)."""
    cfg = load_config(DEMO)
    sigma = cfg.materials.electrolyte.conductivity
    eps = EPS0 * cfg.materials.electrolyte.permittivity
    area, length = cfg.cell.side**2, cfg.cell.thickness
    fit = summary["fit"]
    assert fit["R_bulk_ohm"] == pytest.approx(length / (sigma * area), rel=0.02)
    assert fit["C_bulk_F"] == pytest.approx(eps * area / length, rel=0.02)
    assert fit["apex_frequency_bulk_Hz"] == pytest.approx(sigma / (2 * math.pi * eps), rel=0.02)
    # the constriction resistance is what the DC resistance adds to the bulk
    r_dc = summary["resistance_dc_ohm"]
    assert fit["R_cstr_ohm"] == pytest.approx(r_dc - fit["R_bulk_ohm"], rel=0.03)


def test_drt_peaks_carry_the_polarisation_resistance(summary: dict):
    peaks = summary["drt"]["peaks"]
    assert len(peaks) == 2
    total = sum(p["resistance_ohm"] for p in peaks)
    z_hi = summary["impedance_at_max_frequency"]["real_ohm"]
    z_lo = summary["impedance_at_min_frequency"]["real_ohm"]
    assert total == pytest.approx(z_lo - z_hi, rel=0.02)


def test_current_map_carries_the_terminal_current(summary: dict):
    """At DC every facet's current flows into the electrolyte: mean |j_n| × A = I = V/R_dc.

    j_n is the cell-average flux of a P1 potential, so the facet integral is not conservative
    like the reaction current; it converges as O(h): 5 % on this coarse mesh.
    """
    cmap = summary["current_map"]
    assert cmap["frequencies_Hz"][0] == 0.0
    assert cmap["titles"] == ["DC", "constriction arc apex"]
    assert cmap["frequencies_Hz"][1] == pytest.approx(summary["arcs"][1]["apex_frequency_Hz"])
    assert cmap["mean_abs_jn_A_per_cm2_per_V"][0] == pytest.approx(
        1 / summary["resistance_dc_ohm_cm2"], rel=0.05
    )


@pytest.mark.mpi
def test_two_ranks_give_the_same_analysis(summary: dict, tmp_path: Path):
    """Fit, current maps and sections are gathered from both ranks and drawn once."""
    mpiexec = Path(sys.executable).parent / "mpiexec"
    out = tmp_path / "mpi"
    command = [sys.executable, "-m", "eisfem", *demo_arguments(out)]
    subprocess.run(
        [str(mpiexec), "-n", "2", *command],
        check=True,
        timeout=600,
        capture_output=True,
    )
    two = json.loads((out / "summary.json").read_text())
    assert two["mpi_ranks"] == 2
    for key in ("R_bulk_ohm", "R_cstr_ohm", "C_cstr_F"):
        assert two["fit"][key] == pytest.approx(summary["fit"][key], rel=1e-6)
    assert two["current_map"]["mean_abs_jn_A_per_cm2_per_V"] == pytest.approx(
        summary["current_map"]["mean_abs_jn_A_per_cm2_per_V"], rel=1e-9
    )
    for name in ("current_map.png", "potential_section.png", "fit.csv", "drt.png"):
        assert (out / name).is_file()


# --- ParaView --------------------------------------------------------------------------------


def tool(name: str) -> str:
    """The path of a ParaView-side tool; skip locally if absent, fail where CI requires it."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("EISFEM_REQUIRE_PARAVIEW"):
        pytest.fail(f"{name} not found, but EISFEM_REQUIRE_PARAVIEW is set (.ci/run installs it)")
    pytest.skip(f"{name} not found: apt-get install paraview python3-paraview xvfb")


def solver_ranges(summary: dict) -> dict[float, dict[str, tuple[float, float]]]:
    """The arrays' ranges at each field frequency, from a fresh spectrum of the same config
    (the run's fast sweep, rebuilt from the same snapshots, gives its fields exactly)."""
    cfg = load_config(DEMO, DEMO_SETTINGS)
    system = build_system(cfg, build_mesh(cfg, None))
    spaces = FieldSpaces(system)
    freqs = log_frequencies(
        cfg.frequencies.max, cfg.frequencies.min, cfg.frequencies.points_per_decade
    )
    result = solve_spectrum(system, freqs, cfg.solver.sweep, cfg.solver.sweep_tolerance)
    out = {}
    for f in summary["field_frequencies_Hz"]:
        sol = system.solve_dc() if f == 0 else result.solution(f)
        out[f] = {u.name: (u.x.array.min(), u.x.array.max()) for u in spaces.compute(sol)}
    return out


def test_paraview_reads_fields_and_tags(run: Path, summary: dict, tmp_path: Path):
    pvpython = tool("pvpython")
    out = tmp_path / "paraview.json"
    subprocess.run(
        [pvpython, str(HERE / "pvpython_read_run.py"), str(run), str(out)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    seen = json.loads(out.read_text())
    assert seen["times"] == pytest.approx(summary["field_frequencies_Hz"], rel=1e-12)
    expected = solver_ranges(summary)
    for t, f in zip(seen["times"], summary["field_frequencies_Hz"], strict=True):
        ranges = seen["ranges"][str(t)]
        assert set(ranges) == {"phi_re", "phi_im", "phi_abs", "j_abs", "j_re", "j_im"}
        for name, (lo, hi) in expected[f].items():
            scale = max(abs(lo), abs(hi), 1e-300)
            assert ranges[name][0] == pytest.approx(lo, abs=1e-9 * scale), (f, name)
            assert ranges[name][1] == pytest.approx(hi, abs=1e-9 * scale), (f, name)
        assert ranges["j_re"][2][1] == 3  # the current density is a 3-vector per cell
        # maximum principle: 0 ≤ |φ| ≤ 1 V with the WE at 1 V and the CE at 0
        assert ranges["phi_abs"][0] == pytest.approx(0.0, abs=1e-12)
        assert ranges["phi_abs"][1] == pytest.approx(1.0, abs=1e-12)
    geometry = summary["geometry"]
    assert seen["cells"]["volume"] == geometry["cells"]
    assert seen["tags_volume"] == [1, 2]  # electrolyte and pore
    assert len(seen["tags_surface"]) == 5  # we_contact, we_metal, ce, insulating, pore_floor


def test_paraview_script_opens_the_run(run: Path, tmp_path: Path):
    """open_in_paraview.py builds its pipeline and renders (under a virtual X display)."""
    pvpython, xvfb = tool("pvpython"), tool("xvfb-run")
    shot = tmp_path / "view.png"
    script = str(run / "open_in_paraview.py")
    # start the display search away from :99, which concurrent `xvfb-run -a` calls all race for
    display = ["-a", "-n", str(100 + os.getpid() % 30000), "-s", "-screen 0 1280x1024x24"]
    subprocess.run(
        [xvfb, *display, pvpython, script, "--screenshot", str(shot)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (700, 1000)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 50  # not a blank view
