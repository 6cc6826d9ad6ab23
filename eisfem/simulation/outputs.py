"""What a run folder says beyond the spectrum: circuit fit, DRT, plots and current maps.

Split by where it runs: :func:`analyse` (DRT and fit, pure NumPy/pyimpspec) and
:func:`write_plots` run on rank 0; :func:`render_fields` is collective (the interface current and
the potential section are gathered from every rank) and draws on rank 0.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from eisfem.config import FullContact, RunConfig
from eisfem.config.own_geometry import MeshCell
from eisfem.core.errors import EisfemError
from eisfem.core.records import finite
from eisfem.postprocess import plots
from eisfem.postprocess.drt import DRT, METHOD, compute_drt, exact_per_peak
from eisfem.postprocess.fitting import ArcFit, CircuitFit, assign_labels, fit_arcs
from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum
from eisfem.simulation.cell_terms import linear_medium
from eisfem.simulation.result import (
    CurrentMapRecord,
    DRTRecord,
    FitFailure,
    FitRecord,
    RelaxationRecord,
)
from eisfem.simulation.summary import checked
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.interface_current import InterfaceFlux
from eisfem.solvers.materials import EPS0
from eisfem.solvers.system import Solution

CONSTRICTION_LABEL = "cstr"
DRT_FILE = "drt.csv"


def known_relaxations(cfg: RunConfig) -> dict[str, float]:
    """Intrinsic relaxation times (s) of the model's media: ε0εr/σ(T) of each conducting layer.

    A homogeneous medium between equipotentials has Z = 1/(κ(ω)·G) whatever its shape G, so
    its arc's τ is ε0εr/σ: the bulk arc of the electrolyte keeps it under any constriction.
    σ is taken at the run's temperature (the same Arrhenius factor the solver uses).
    """
    media = {"bulk": cfg.materials.electrolyte}
    if cfg.interphase is not None:
        media["interphase"] = cfg.interphase
    out = {}
    for name, m in media.items():
        medium = linear_medium(m, cfg.temperature)
        if medium.conductivity > 0 and medium.permittivity > 0:
            out[name] = EPS0 * medium.permittivity / medium.conductivity
    return out


def constricts(cfg: RunConfig) -> bool:
    """Whether the metal may touch only part of the electrode (a constriction arc exists);
    a user's mesh is taken to have one."""
    return isinstance(cfg.cell, MeshCell) or not isinstance(cfg.interface, FullContact)


@dataclass
class Analysis:
    drt: DRT
    fit: CircuitFit | None
    fit_error: str | None  # why there is no fit

    def arc(self, label: str) -> ArcFit | None:
        """The fitted arc named ``label``, if any."""
        return next((a for a in self.fit.arcs if a.label == label), None) if self.fit else None

    def records(
        self, spectrum: Spectrum, cfg: RunConfig, relaxation: RelaxationRecord | None
    ) -> tuple[FitRecord | FitFailure, DRTRecord]:
        """The "fit" and "drt" sections of the summary; with the model's exact ``relaxation``
        each DRT peak is compared with the exact relaxations in its band."""
        area = spectrum.area
        cm2 = area * M2_TO_CM2
        if self.fit is None:
            return FitFailure(error=str(self.fit_error)), self._drt_record(cm2, relaxation)
        fit = self.fit.summary(area)
        tau_bulk = known_relaxations(cfg).get("bulk")
        f_max = float(spectrum.frequency.max())
        if self.arc("bulk") is None and tau_bulk and 1 / (2 * math.pi * tau_bulk) > f_max:
            # the bulk arc lies above the window: the series resistance is the bulk's
            fit["R_bulk_ohm"] = self.fit.series
            fit["R_bulk_ohm_cm2"] = self.fit.series * cm2
            fit["R_bulk_from"] = "series resistance (bulk relaxation above the window)"
        return checked(FitRecord, fit), self._drt_record(cm2, relaxation)

    def _drt_record(self, cm2: float, relaxation: RelaxationRecord | None) -> DRTRecord:
        peaks = self.drt.peaks()
        drt: dict[str, Any] = {
            "method": METHOD,
            "peaks": [
                {
                    "tau_s": p.tau,
                    "frequency_Hz": p.frequency,
                    "resistance_ohm": p.resistance,
                    "resistance_ohm_cm2": p.resistance * cm2,
                }
                for p in peaks
            ],
        }
        if relaxation is not None:
            rows = exact_per_peak(
                peaks, np.array(relaxation.tau_s), np.array(relaxation.resistance_ohm)
            )
            drt["exact_comparison"] = [r | {"exact_tau_s": finite(r["exact_tau_s"])} for r in rows]
        return checked(DRTRecord, drt)


def analyse(cfg: RunConfig, spectrum: Spectrum) -> Analysis:
    """DRT and equivalent-circuit fit of a simulated spectrum, arcs named after the model."""
    drt = compute_drt(spectrum.frequency, spectrum.impedance)
    labels = cfg.fit.labels
    n_arcs = cfg.fit.arcs or (len(labels) if labels else len(spectrum.arcs()))
    try:
        fit = fit_arcs(spectrum.frequency, spectrum.impedance, n_arcs, drt)
    except EisfemError as exc:
        return Analysis(drt, None, str(exc))
    fit.label(
        labels
        or assign_labels(
            [a.tau for a in fit.arcs],
            [a.resistance for a in fit.arcs],
            known_relaxations(cfg),
            constricts(cfg),
        )
    )
    return Analysis(drt, fit, None)


def map_frequency(analysis: Analysis, spectrum: Spectrum) -> tuple[str, float] | None:
    """The frequency of the AC current map: the constriction arc's apex on the spectrum.

    The apex of the spectrum (where fields are written) closest to the fitted ``cstr`` arc's
    apex; without a constriction arc, the lowest-frequency apex; None without any apex.
    """
    apexes = [a.apex_frequency_Hz for a in spectrum.arcs()]
    if not apexes:
        return None
    arc = analysis.arc(CONSTRICTION_LABEL)
    if arc is None:
        return "lowest-frequency arc apex", min(apexes)
    best = min(apexes, key=lambda f: abs(math.log(f / arc.apex_frequency)))
    return "constriction arc apex", best


def render_fields(
    spaces: FieldSpaces,
    flux: InterfaceFlux,
    solutions: list[Solution],
    frequencies: list[tuple[str, float]],
    folder: Path,
) -> CurrentMapRecord:
    """Current maps and potential sections at ``frequencies`` ((title, Hz), 0 = DC); collective.

    Uses the solution already computed at a frequency (to 0.1 %) or solves anew. Returns the
    "current_map" section of the summary (on every rank); the maps' data go to
    ``current_map.npz`` so a stored run can draw them again (:func:`render.map_figure`).
    """
    from eisfem.postprocess import render  # matplotlib drawing: only when rendering
    from eisfem.postprocess.focusing import ContactFocusing

    system = spaces.system
    sampler = render.SectionSampler(spaces)
    edges = ContactFocusing(flux).edges
    panels, sections, means = [], [], []
    for title, f in frequencies:
        omega = 2 * math.pi * f
        sol = next(
            (s for s in solutions if abs(s.omega - omega) <= 1e-3 * omega),
            None,
        ) or system.solve(omega)
        current = system.voltage / sol.impedance if sol.impedance != 0 else 0.0
        panel = render.map_panel(title, f, flux, sol, current, edges)
        section = sampler.section(sol, f"|φ| at {title}" + (f", {f:.3g} Hz" if f else ""))
        if system.comm.rank == 0:
            gathered = panel.current
            panels.append(panel)
            sections.append(section)
            means.append(float(np.sum(np.abs(gathered.jn) * gathered.area) / gathered.area.sum()))
    if system.comm.rank == 0:
        render.current_maps(panels, folder / "current_map.png")
        render.save_panels(panels, folder / render.PANELS_FILE)
        render.section_plot(sections, folder / "potential_section.png")
    means = system.comm.bcast(means, root=0)
    return CurrentMapRecord(
        frequencies_Hz=[f for _, f in frequencies],
        titles=[t for t, _ in frequencies],
        mean_abs_jn_A_per_cm2_per_V=[m * 1e-4 for m in means],
        files=["current_map.png", "potential_section.png", render.PANELS_FILE],
    )


def write_drt_csv(drt: DRT, area: float, path: Path) -> None:
    """drt.csv: τ, γ in Ω and in Ω·cm² per unit ln τ (read back by :func:`read_drt_csv`)."""
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["tau_s", "gamma_ohm", "gamma_ohm_cm2"])
        for t, g in zip(drt.tau, drt.gamma, strict=True):
            out.writerow([f"{t:.8g}", f"{g:.8g}", f"{g * area * M2_TO_CM2:.8g}"])


def figures(
    name: str,
    spectrum: Spectrum,
    fit: CircuitFit | None,
    drt: DRT,
    relaxation: RelaxationRecord | None,
) -> dict[str, Figure]:
    """The run's Nyquist and Bode plots (with the fitted circuit) and its DRT (with the model's
    exact relaxations): what the run folder's PNGs show and what a notebook gets back."""
    area = spectrum.area
    overlays = []
    if fit is not None:
        f = np.logspace(np.log10(spectrum.frequency.min()), np.log10(spectrum.frequency.max()), 400)
        z = fit.impedance(f) * area * M2_TO_CM2
        overlays.append(plots.Overlay(f"fit {fit.cdc}", f, z, "--"))
    exact = None
    if relaxation is not None:
        exact = (np.array(relaxation.tau_s), np.array(relaxation.resistance_ohm), area)
    return {
        "nyquist": plots.nyquist(spectrum, f"{name}: Nyquist", overlays),
        "bode": plots.bode(spectrum, f"{name}: Bode", overlays),
        "drt": plots.drt([("simulated", drt, area)], f"{name}: DRT", exact),
    }


def write_plots(
    name: str,
    spectrum: Spectrum,
    analysis: Analysis,
    relaxation: RelaxationRecord | None,
    folder: Path,
) -> None:
    """nyquist.png, bode.png (with the fit), drt.png (+ exact relaxations), fit.csv, drt.csv."""
    for key, fig in figures(name, spectrum, analysis.fit, analysis.drt, relaxation).items():
        plots.save(fig, folder / f"{key}.png")
    if analysis.fit is not None:
        analysis.fit.write_csv(folder / "fit.csv", spectrum.area)
    write_drt_csv(analysis.drt, spectrum.area, folder / DRT_FILE)


def read_drt_csv(path: Path) -> DRT:
    """The DRT of a stored run (γ to the 8 digits written; R_∞ is not stored: NaN)."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return DRT(data[:, 0], data[:, 1], math.nan)
