"""The fit folder: ``fit_result.json``, ``fit_history.csv``, the best run and the overlays.

``DIR/fit_result.json`` holds each free field's value and 95 % interval in SI units, the misfit,
the evaluations and the identifiability report; ``DIR/best/`` is the complete run folder of the
best parameters (over the fitted frequency window); ``nyquist.png``, ``bode.png``, ``drt.png``
and ``misfit.json`` overlay the measurement on it exactly as ``eisfem compare`` does. The folder
is marked as a fit folder (``.eisfem-fit``) when it is created: a fit runs again only in an
empty folder or in its own, where it resumes from ``fit_history.csv``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eisfem.core import owned
from eisfem.core.errors import EisfemError
from eisfem.inverse.evaluate import mesh_of
from eisfem.inverse.fit import METHOD, Estimate, estimate, pin_mesh
from eisfem.inverse.fitfile import CM2, FitProblem
from eisfem.postprocess.impedance import Spectrum
from eisfem.postprocess.measured import read_measured
from eisfem.simulation.console import RunConsole

MARKER = ".eisfem-fit"


@dataclass
class FitResult:
    folder: Path
    record: dict[str, Any]


def measured_window(problem: FitProblem) -> tuple[np.ndarray, np.ndarray]:
    """Measured frequencies inside the window and Z there, area-specific (Ω·cm²)."""
    m = read_measured(problem.measured_path, problem.spectrum_index)
    area = problem.measured_area if problem.measured_area is not None else CM2
    z = Spectrum(m.frequency, m.impedance, area).area_specific
    lo, hi = problem.window
    inside = (m.frequency >= lo * (1 - 1e-9)) & (m.frequency <= hi * (1 + 1e-9))
    n = len(problem.coords)
    if 2 * int(inside.sum()) < n + 2:
        raise EisfemError(
            f"{problem.source}: {int(inside.sum())} measured points in frequencies "
            f"{lo:.3g}-{hi:.3g} Hz; {n} free fields need at least {n // 2 + 1}"
        )
    return m.frequency[inside], z[inside]


def claim(folder: Path) -> None:
    """Make ``folder`` this fit's, refusing a folder that holds anything eisfem did not write."""
    if folder.exists() and not folder.is_dir():
        raise EisfemError(f"--out {folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise EisfemError(
            f"--out {folder}: the folder holds files that are not an eisfem fit; "
            "give a new or empty folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()
    if owned.read_stamp(folder) is None:
        owned.stamp(folder, "fit")  # eisfem's common marker: a comparison may write here


def run_fit(
    problem: FitProblem, out: Path, workers: int = 1, console: RunConsole | None = None
) -> FitResult:
    """Fit the measured spectrum and write the fit folder ``out`` (see the module docstring)."""
    from eisfem.simulation.compare import compare
    from eisfem.simulation.pipeline import run

    console = console or RunConsole(quiet=True)
    t0 = time.perf_counter()
    frequency, z_measured = measured_window(problem)
    claim(out)
    with console.stage("mesh sizes at the starting point"):
        start_area = mesh_of(problem.config(problem.start)).electrode_area
        problem = pin_mesh(problem)  # meshes that same start: cached
    est = estimate(problem, frequency, z_measured, out, workers, console)
    best = problem.config(est.values)
    best.frequencies.min, best.frequencies.max = float(frequency.min()), float(frequency.max())
    with console.stage("run of the best parameters"):
        run(best, out / "best", console)
    compared, _ = compare(
        out / "best", problem.measured_path, out, problem.measured_area, problem.spectrum_index
    )
    record = result_record(est, frequency, compared.rms_relative, workers)
    best_area = json.loads((out / "best" / "summary.json").read_text())["electrode_area_m2"]
    if abs(best_area / start_area - 1) > 1e-9:
        record["warnings"].append(
            f"the simulated nominal electrode area changes with the free fields ({start_area:.4g}"
            f" m² at the start, {best_area:.4g} m² at the best fit): the measured Ω·cm² were "
            "compared with Z × that changing area"
        )
    for warning in record["warnings"]:
        console.info(f"  warning: {warning}")
    record["seconds"] = time.perf_counter() - t0
    (out / "fit_result.json").write_text(json.dumps(record, indent=2) + "\n")
    return FitResult(out, record)


def result_record(
    est: Estimate, frequency: np.ndarray, misfit_best_run: float, workers: int
) -> dict[str, Any]:
    """The content of ``fit_result.json``."""
    p = est.problem
    return {
        "parameters": {
            c.name: {
                **est.parameters[c.name],
                "low": c.low,
                "high": c.high,
                "scale": c.scale,
                "start": float(s),
            }
            for c, s in zip(p.coords, p.start, strict=True)
        },
        "misfit": est.misfit,
        "misfit_best_run": misfit_best_run,
        "evaluations": est.evaluations["total"],
        "evaluations_failed": est.evaluations["failed"],
        "evaluations_from_history": est.evaluations["from_history"],
        "identifiability": est.identifiability,
        "optimizer": {
            "converged": est.optimum.converged,
            "message": est.optimum.status,
            "steps_evaluated": est.optimum.iterations,
        },
        "method": METHOD,
        "frequencies": {
            "min_Hz": float(frequency.min()),
            "max_Hz": float(frequency.max()),
            "points": int(frequency.size),
        },
        "measured": {
            "path": str(p.measured_path),
            "area_m2": p.measured_area,
            "spectrum": p.spectrum_index,
        },
        "mesh_pinned": p.base.get("mesh", {}),
        "best_run": "best",
        "workers": workers,
        "warnings": [] if est.optimum.converged else [f"not converged: {est.optimum.status}"],
    }
