"""The run folder: every promised file, its contents, and all-or-nothing writing."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from eisfem.cli.main import main
from eisfem.simulation import pipeline
from eisfem.simulation.rundir import MARKER
from tests.helpers import DEMO

FAST = ["--set", "solver.degree=1", "--set", "frequencies.points_per_decade=3", "--quiet"]


def test_run_folder_has_every_output(demo_run: Path):
    names = {p.name for p in demo_run.iterdir()}
    assert {
        "config.resolved.yaml",
        "mesh.msh",
        "impedance.csv",
        "summary.json",
        "fields.xdmf",
        "fields.h5",
        "mesh_tags.xdmf",
        "mesh_tags.h5",
        "nyquist.png",
        "bode.png",
        MARKER,
    } <= names


def test_impedance_table(demo_run: Path):
    rows = list(csv.DictReader((demo_run / "impedance.csv").open()))
    assert {"frequency_Hz", "Z_real_ohm", "Z_imag_ohm", "Z_real_ohm_cm2"} <= set(rows[0])
    f = np.array([float(r["frequency_Hz"]) for r in rows])
    assert f[0] == pytest.approx(1e10) and f[-1] == pytest.approx(1e3)
    assert np.all(np.diff(f) < 0)
    area_cm2 = (100e-6) ** 2 * 1e4
    for r in rows:
        assert float(r["Z_real_ohm"]) >= 0
        assert float(r["Z_real_ohm_cm2"]) == pytest.approx(float(r["Z_real_ohm"]) * area_cm2)


def test_summary(demo_run: Path):
    s = json.loads((demo_run / "summary.json").read_text())
    assert s["electrode_area_m2"] == pytest.approx(1e-8)
    assert s["dofs"] > 1000 and s["geometry"]["cells"] > 1000
    assert s["geometry"]["pore_count"] == 1
    assert len(s["arcs"]) == 2
    assert {"meshing", "assembly"} <= set(s["timings_s"])
    assert s["versions"]["petsc_scalar"] == "complex128"
    # fields at DC and at each apex
    assert s["field_frequencies_Hz"][0] == 0
    assert len(s["field_frequencies_Hz"]) == 3
    resolved = yaml.safe_load((demo_run / "config.resolved.yaml").read_text())
    assert resolved["cell"]["side"] == pytest.approx(1e-4)  # SI echo
    assert math.isclose(resolved["materials"]["electrolyte"]["conductivity"], 0.55)


def test_fields_file_holds_real_arrays_per_frequency(demo_run: Path):
    text = (demo_run / "fields.xdmf").read_text()
    for name in ("phi_re", "phi_im", "phi_abs", "j_abs", "j_re", "j_im"):
        assert f'Name="{name}"' in text
    assert "real_" not in text  # no complex arrays split by the writer
    assert 'Value="0"' in text  # DC as time 0


def test_failed_run_leaves_no_folder(tmp_path, monkeypatch, capsys):
    """A failure mid-run (a bug, not a user error) is one line, status 1, and no folder."""

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "write_fields", boom)
    out = tmp_path / "broken"
    assert main(["run", str(DEMO), "--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk full" in err[0] and "Traceback" not in err[0]
    assert list(tmp_path.iterdir()) == []


def test_bad_override_is_one_line(tmp_path, capsys):
    code = main(["run", str(DEMO), "--out", str(tmp_path / "x"), "--set", "cell.side=5 mS"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cell.side" in err
    assert not (tmp_path / "x").exists()


def test_fast_sweep_relaxation_and_drt_plot(demo_run: Path):
    """The default fast sweep reports its solves and error; the relaxation key adds up to DC."""
    s = json.loads((demo_run / "summary.json").read_text())
    sweep = s["sweep"]
    assert sweep["method"] == "fast" and sweep["converged"]
    assert sweep["estimated_max_relative_error"] < sweep["tolerance"]
    assert 2 <= len(sweep["snapshot_frequencies_Hz"]) < 10
    relax = s["relaxation"]
    assert len(relax["tau_s"]) == len(relax["resistance_ohm"]) >= 2
    assert relax["sum_ohm"] == pytest.approx(s["resistance_dc_ohm"], rel=1e-4)
    assert (demo_run / "drt.png").stat().st_size > 1000
    assert s["linear_solver"]["mumps_infog"]["factor_entries"] > 0


def test_summary_is_the_typed_record_and_fits_the_published_schema(demo_run: Path):
    """summary.json reads back into RunSummary unchanged and validates against the schema
    checked in as docs/summary.schema.json."""
    import jsonschema

    from eisfem.core.records import to_json
    from eisfem.simulation.result import read_summary

    data = json.loads((demo_run / "summary.json").read_text())
    schema = json.loads((DEMO.parents[1] / "docs" / "summary.schema.json").read_text())
    jsonschema.validate(data, schema)
    summary = read_summary(demo_run)
    assert to_json(summary) == data and list(to_json(summary)) == list(data)
    assert summary.fit.arc("cstr") is not None
    assert summary.drt.exact_comparison is not None  # the fast sweep gives the exact relaxations
