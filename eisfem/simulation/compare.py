"""A run's simulated spectrum against a measured one: overlay plots and a misfit number.

Both spectra are compared area-specific (Ω·cm²): the simulated one with the run's nominal
electrode area, the measured one with the measured electrode area given by the user (without
it, the file's values are taken as already area-specific). The simulated spectrum is
interpolated to the measured frequencies inside the common range (cubic splines of Re Z and
Im Z over log f; no extrapolation), and the misfit is the RMS over those points of
|Z_sim − Z_meas| / |Z_meas|: a modulus-weighted residual, the same weighting as the circuit fit,
so every frequency counts whatever the size of Z there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline

from eisfem.core import owned
from eisfem.core.errors import EisfemError
from eisfem.postprocess import plots
from eisfem.postprocess.drt import compute_drt
from eisfem.postprocess.impedance import Spectrum
from eisfem.postprocess.measured import read_measured
from eisfem.simulation.rundir import is_complete

CM2 = 1e-4  # m²: the "area" of values that are already per cm²


@dataclass
class Misfit:
    points: int  # measured points inside the simulated frequency range
    frequency_min_Hz: float
    frequency_max_Hz: float
    rms_relative: float  # RMS of |Z_sim − Z_meas| / |Z_meas|
    max_relative: float
    real_ratio_at_min_frequency: float  # Re Z_sim / Re Z_meas at the lowest common frequency

    def report(self) -> str:
        return (
            f"misfit {100 * self.rms_relative:.3g} % (RMS of |Z_sim - Z_meas|/|Z_meas| over "
            f"{self.points} points, {self.frequency_min_Hz:.3g}-{self.frequency_max_Hz:.3g} Hz; "
            f"max {100 * self.max_relative:.3g} %); Re Z_sim/Re Z_meas at "
            f"{self.frequency_min_Hz:.3g} Hz = {self.real_ratio_at_min_frequency:.3g}"
        )


def interpolate(spectrum: Spectrum, frequency: np.ndarray) -> np.ndarray:
    """Area-specific Z of ``spectrum`` at ``frequency`` (inside its range), Ω·cm²."""
    order = np.argsort(spectrum.frequency)
    x = np.log10(spectrum.frequency[order])
    z = spectrum.area_specific[order]
    t = np.log10(frequency)
    return CubicSpline(x, z.real)(t) + 1j * CubicSpline(x, z.imag)(t)


def misfit(simulated: Spectrum, measured: Spectrum) -> Misfit:
    lo, hi = simulated.frequency.min(), simulated.frequency.max()
    inside = (measured.frequency >= lo * (1 - 1e-9)) & (measured.frequency <= hi * (1 + 1e-9))
    if inside.sum() < 2:
        raise EisfemError(
            f"the spectra share fewer than 2 frequencies: simulated {lo:.3g}-{hi:.3g} Hz, "
            f"measured {measured.frequency.min():.3g}-{measured.frequency.max():.3g} Hz"
        )
    f = measured.frequency[inside]
    z_meas = measured.area_specific[inside]
    z_sim = interpolate(simulated, f)
    rel = np.abs(z_sim - z_meas) / np.abs(z_meas)
    low = int(np.argmin(f))
    return Misfit(
        int(inside.sum()),
        float(f.min()),
        float(f.max()),
        float(np.sqrt(np.mean(rel**2))),
        float(rel.max()),
        float(z_sim[low].real / z_meas[low].real),
    )


def load_run(run_dir: Path) -> tuple[Spectrum, dict[str, Any]]:
    """The simulated spectrum and summary of a complete run folder."""
    if not is_complete(run_dir):
        raise EisfemError(f"{run_dir}: not a complete run folder (no COMPLETE marker)")
    summary = json.loads((run_dir / "summary.json").read_text())
    spectrum = Spectrum.read_csv(run_dir / "impedance.csv", summary["electrode_area_m2"])
    return spectrum, summary


def compare(
    run_dir: Path,
    measured_path: Path,
    out: Path | None = None,
    area: float | None = None,
    index: int = 0,
) -> tuple[Misfit, Path]:
    """Write nyquist.png, bode.png, drt.png and misfit.json comparing a run with a measurement.

    ``area`` is the measured electrode area in m² (None: the file is already in Ω·cm²);
    ``out`` defaults to ``RUN_DIR/compare-<measured file name>`` (``good.csv`` and
    ``good.txt`` get folders of their own); it must be new or an earlier comparison folder.
    """
    simulated, summary = load_run(run_dir)
    m = read_measured(measured_path, index)
    measured = Spectrum(m.frequency, m.impedance, area if area is not None else CM2)
    result = misfit(simulated, measured)
    out = owned.check_target(
        out or run_dir / f"compare-{measured_path.name}", "compare", also=("fit",)
    )
    if not out.exists():
        owned.new_partial(out, "compare").rename(out)  # appears already marked
    name = summary.get("name", run_dir.name)
    label = f"measured ({measured_path.name})"
    overlay = [plots.Overlay(label, measured.frequency, measured.area_specific, "o")]
    title = f"{name} vs {measured_path.name}"
    plots.save(plots.nyquist(simulated, f"{title}: Nyquist", overlay), out / "nyquist.png")
    plots.save(plots.bode(simulated, f"{title}: Bode", overlay), out / "bode.png")
    curves = [
        ("simulated", compute_drt(simulated.frequency, simulated.impedance), simulated.area),
        ("measured", compute_drt(measured.frequency, measured.impedance), measured.area),
    ]
    relaxation = summary.get("relaxation")
    exact = (
        (relaxation["tau_s"], relaxation["resistance_ohm"], simulated.area) if relaxation else None
    )
    plots.save(plots.drt(curves, f"{title}: DRT", exact), out / "drt.png")
    record = {
        **asdict(result),
        "run": str(run_dir.resolve()),
        "measured_file": str(measured_path.resolve()),
        "measured_spectrum_index": index,
        "measured_spectra_in_file": m.count,
        "measured_area_m2": area,
        "measured_area_note": (
            "no measured area given: the file's values are taken as area-specific (ohm cm2)"
            if area is None
            else "measured Z multiplied by the measured electrode area"
        ),
        "simulated_area_m2": simulated.area,
        "report": result.report(),
    }
    (out / "misfit.json").write_text(json.dumps(record, indent=2) + "\n")
    return result, out
