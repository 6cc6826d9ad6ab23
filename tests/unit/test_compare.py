"""`eisfem compare`: measured files in each tested format against a run with a known spectrum.

The "run" here is a run folder holding a spectrum synthesised from the same circuit as the files
in tests/unit/data (see make_measured.py), so the misfit has closed forms: ~0 with the right
measured area (only the spline interpolation between the run's frequencies is left), exactly
50 % with twice the area, whatever the frequency.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from eisfem.cli.main import main
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation.rundir import MARKER

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
from make_measured import AREA_CM2, circuit_ohm_cm2  # noqa: E402

FORMATS = ["measured.csv", "measured.mpt", "measured.dta", "measured.z"]
RUN_AREA = 1e-8  # m²: a 100 µm patch


def make_run(folder: Path, relaxation: dict | None = None) -> Path:
    """A complete run folder with the circuit's spectrum, 1e7..0.1 Hz at 8 points per decade."""
    folder.mkdir()
    f = log_frequencies(1e7, 0.1, 8)
    Spectrum(f, circuit_ohm_cm2(f) / (RUN_AREA * 1e4), RUN_AREA).write_csv(folder / "impedance.csv")
    summary = {"name": "synthetic", "electrode_area_m2": RUN_AREA}
    if relaxation:
        summary["relaxation"] = relaxation
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / MARKER).write_text("")
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return make_run(tmp_path_factory.mktemp("compare") / "run")


@pytest.mark.parametrize("name", FORMATS)
def test_compare_each_format(run_dir: Path, name: str, tmp_path: Path, capsys):
    out = tmp_path / "cmp"
    area = f"{AREA_CM2:.9g} cm^2"
    assert main(["compare", str(run_dir), str(DATA / name), "--area", area, "--out", str(out)]) == 0
    assert "misfit" in capsys.readouterr().err
    for png in ("nyquist.png", "bode.png", "drt.png"):
        assert (out / png).stat().st_size > 10_000
    record = json.loads((out / "misfit.json").read_text())
    assert record["points"] == 37  # every measured point lies inside 0.1 Hz .. 10 MHz
    assert record["measured_area_m2"] == pytest.approx(AREA_CM2 * 1e-4)
    # same circuit: only the interpolation of the run's 8-per-decade grid is left
    assert record["rms_relative"] < 1e-3
    assert record["real_ratio_at_min_frequency"] == pytest.approx(1.0, abs=1e-3)


def test_wrong_area_shows_in_the_misfit(run_dir: Path, tmp_path: Path):
    """Twice the area doubles the measured Ω·cm²: |Z − 2Z| / |2Z| = 1/2 at every frequency."""
    area = f"{2 * AREA_CM2:.9g} cm^2"
    out = tmp_path / "cmp"
    args = ["compare", str(run_dir), str(DATA / "measured.mpt"), "--area", area]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    record = json.loads((out / "misfit.json").read_text())
    assert record["rms_relative"] == pytest.approx(0.5, abs=1e-3)
    assert record["max_relative"] == pytest.approx(0.5, abs=2e-3)
    assert record["real_ratio_at_min_frequency"] == pytest.approx(0.5, abs=1e-3)


def test_default_output_folder_and_area_specific_files(run_dir: Path, tmp_path: Path):
    """Without --area the values are taken as Ω·cm²; output goes next to the run."""
    f = np.logspace(5, 1, 21)
    z = circuit_ohm_cm2(f)
    path = tmp_path / "per_cm2.csv"
    path.write_text(
        "f,re,im\n"
        + "".join(f"{a:.9g},{b.real:.9g},{b.imag:.9g}\n" for a, b in zip(f, z, strict=True))
    )
    assert main(["compare", str(run_dir), str(path), "--quiet"]) == 0
    record = json.loads((run_dir / "compare-per_cm2.csv" / "misfit.json").read_text())
    assert record["measured_area_m2"] is None
    assert record["rms_relative"] < 1e-3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--area", "0.785"], "--area needs a unit"),
        (["--area", "5 mS"], "--area: '5 mS' has the wrong dimension"),
        (["--spectrum", "3"], "holds 1 spectra; the spectrum index must be 0..0"),
    ],
)
def test_bad_options_give_one_line(run_dir: Path, extra, message, capsys):
    assert main(["compare", str(run_dir), str(DATA / "measured.dta"), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_bad_inputs_give_one_line(run_dir: Path, tmp_path: Path, capsys):
    garbage = tmp_path / "garbage.mpt"
    garbage.write_text("not a spectrum\n")
    no_overlap = tmp_path / "high.csv"
    no_overlap.write_text("f,re,im\n1e9,1,0\n2e9,1,0\n3e9,1,0\n")
    cases = [
        (run_dir, tmp_path / "missing.mpt", "no such file"),
        (run_dir, garbage, "cannot read a spectrum"),
        (run_dir, no_overlap, "share fewer than 2 frequencies"),
        (tmp_path, DATA / "measured.csv", "not a complete run folder"),
    ]
    for run, measured, message in cases:
        assert main(["compare", str(run), str(measured)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err
