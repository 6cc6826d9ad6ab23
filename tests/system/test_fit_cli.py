"""`eisfem fit` end to end: a measured file in Ω with its area, the fit folder, resuming, and
the refusals that come before any solve."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from eisfem.cli.main import main
from eisfem.inverse import evaluate
from eisfem.inverse.fit import pin_mesh
from eisfem.inverse.fitfile import load_fit

AREA_CM2 = 0.5
HIDDEN = 27e-6
BASE = {
    "cell": {"shape": "cylinder", "radius": "100 um", "thickness": "100 um"},
    "interface": {"kind": "disk", "radius": "20 um"},
    "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    "solver": {"degree": 1},
    "output": {"render": False},
}
FREE = {"interface.radius": {"low": "10 um", "high": "40 um", "scale": "log"}}


def write_fit(tmp_path: Path, free: dict = FREE) -> Path:
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(BASE))
    fit = tmp_path / "fit.yaml"
    measured = {"path": "cell.csv", "area": f"{AREA_CM2} cm^2"}
    fit.write_text(
        yaml.safe_dump(
            {
                "base": "run.yaml",
                "measured": measured,
                "free": free,
                "frequencies": {"min": "10 kHz", "max": "100 MHz"},
            },
            sort_keys=False,
        )
    )
    return fit


def write_measured(fit: Path) -> None:
    """The hidden radius's spectrum in Ω for an electrode of AREA_CM2, 1 GHz..1 kHz; the fit
    uses the 10 kHz..100 MHz part."""
    problem = pin_mesh(load_fit(fit))
    f = np.logspace(9, 3, 13)
    z = evaluate.simulate(problem.config([HIDDEN]).resolved_dict(), f)["impedance"] / AREA_CM2
    with (fit.parent / "cell.csv").open("w") as fh:
        fh.write("Frequency (Hz),Z' (ohm),-Z'' (ohm)\n")
        for row in zip(f, z.real, -z.imag, strict=True):
            fh.write(",".join(f"{v:.17g}" for v in row) + "\n")


def test_fit_writes_its_folder_and_resumes(tmp_path: Path, capsys):
    fit = write_fit(tmp_path)
    write_measured(fit)
    out = tmp_path / "out"
    assert main(["fit", str(fit), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    result = json.loads((out / "fit_result.json").read_text())
    p = result["parameters"]["interface.radius"]
    assert p["value"] == pytest.approx(HIDDEN, rel=0.02)
    assert result["frequencies"]["points"] == 9  # 10 kHz..100 MHz of the file's 13
    assert result["misfit_best_run"] == pytest.approx(result["misfit"], abs=1e-3)
    # a disk contact's nominal area is the disk's: the fit says it compared with a moving area
    (warning,) = result["warnings"]
    assert "nominal electrode area changes with the free fields" in warning
    rows = list(csv.DictReader((out / "fit_history.csv").open()))
    assert len(rows) == result["evaluations"] and all(r["status"] == "ok" for r in rows)
    assert (out / "best" / "COMPLETE").is_file()
    for name in ("nyquist.png", "bode.png", "drt.png", "misfit.json"):
        assert (out / name).is_file()
    # a second fit in the same folder takes every evaluation from the history
    assert main(["fit", str(fit), "--out", str(out), "--quiet"]) == 0
    again = json.loads((out / "fit_result.json").read_text())
    assert again["evaluations_from_history"] == again["evaluations"] == result["evaluations"]
    assert again["parameters"] == result["parameters"]
    assert len(list(csv.DictReader((out / "fit_history.csv").open()))) == len(rows)


def test_refused_bounds_stop_before_any_solve(tmp_path: Path, capsys):
    fit = write_fit(tmp_path, {"interface.radius": {"low": "10 um", "high": "150 um"}})
    out = tmp_path / "out"
    assert main(["fit", str(fit), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("eisfem: error: ") and "free.interface.radius.high" in err
    assert "\n" not in err
    assert not out.exists()


def test_a_folder_eisfem_did_not_write_is_refused(tmp_path: Path, capsys):
    fit = write_fit(tmp_path)
    write_measured(fit)
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("keep me")
    assert main(["fit", str(fit), "--out", str(out)]) == 2
    assert "not an eisfem fit" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["chapter1.tex"]
