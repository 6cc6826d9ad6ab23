"""Equivalent-circuit fit R_s + Σ_k (R_k ‖ CPE_k): one arc per relaxation, with pyimpspec.

The fit recipe is the one that converged in the EIS library evaluation: each arc is seeded from
a DRT peak (its τ and the area under it as R), the CPE's Y is bounded to ±2 decades around its
seed (pyimpspec's default bounds span 30 decades and pin Y numerically), and lmfit's leastsq
runs with a single method and weight, so pyimpspec starts no worker processes. The weight is
the modulus (1/|Z|): the Boukamp weight 1/|Z|² lets the few points near Z → 0 above the bulk
relaxation dominate, and leaves the fit unconverged on simulated spectra.

The effective capacitance of a (R‖CPE) arc is Hsu–Mansfeld's C = (R·Y)^(1/n) / R = τ / R: the
capacitance of the ideal RC with the same resistance and the same apex frequency
f = 1/(2πτ), which is what an arc in a series chain has (Brug's formula assumes one surface
distribution in series with the electrolyte resistance, which this chain does not have).
Arcs are reported in order of increasing τ (high to low frequency), since (RQ)(RQ) fits are
symmetric under swapping arcs.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eisfem.core.errors import EisfemError
from eisfem.postprocess.drt import DRT, compute_drt
from eisfem.postprocess.impedance import M2_TO_CM2

TAU_DECADES = 1.0
N_START, N_MIN = 0.95, 0.5
CAPACITANCE_METHOD = "Hsu-Mansfeld: C = (R*Y)^(1/n) / R = tau / R"
FIT_METHOD = "pyimpspec fit_circuit, lmfit leastsq, modulus weight, seeded from DRT peaks"
# Two known relaxation times closer than this (in decades) identify an arc.
MATCH_DECADES = 0.5


class FitError(EisfemError):
    """The spectrum cannot be fitted as asked (e.g. more arcs than the DRT shows)."""


@dataclass
class ArcFit:
    """One arc R ‖ CPE, Z = R / (1 + (iωτ)^n), i.e. a CPE Y = τ^n / R."""

    label: str
    resistance: float  # Ω
    tau: float  # s
    n: float  # CPE exponent (1 = ideal capacitor)
    stderr: dict[str, float]  # standard errors of "R", "tau", "n" (nan if not estimated)

    @property
    def y(self) -> float:
        """The CPE coefficient Y (S·s^n)."""
        return self.tau**self.n / self.resistance

    @property
    def capacitance(self) -> float:
        """Hsu–Mansfeld effective capacitance τ/R (F)."""
        return self.tau / self.resistance

    @property
    def apex_frequency(self) -> float:
        return 1.0 / (2 * math.pi * self.tau)

    def impedance(self, frequency: np.ndarray) -> np.ndarray:
        jwt = 2j * np.pi * np.asarray(frequency) * self.tau
        return self.resistance / (1.0 + jwt**self.n)


@dataclass
class CircuitFit:
    cdc: str  # the fitted circuit in Boukamp's notation, e.g. R(RQ)(RQ)
    series: float  # R_s, Ω
    series_stderr: float
    arcs: list[ArcFit]  # increasing τ
    frequency: np.ndarray  # Hz, the fitted points
    data: np.ndarray  # Ω, the fitted impedances

    def impedance(self, frequency: np.ndarray) -> np.ndarray:
        z = np.full(np.shape(frequency), self.series, dtype=complex)
        for arc in self.arcs:
            z += arc.impedance(frequency)
        return z

    @property
    def relative_residuals(self) -> np.ndarray:
        """|Z_fit − Z| / |Z| at each fitted frequency."""
        return np.abs(self.impedance(self.frequency) - self.data) / np.abs(self.data)

    def label(self, labels: Sequence[str]) -> None:
        for arc, name in zip(self.arcs, labels, strict=True):
            arc.label = name

    def summary(self, area: float) -> dict[str, Any]:
        """The fit for summary.json: flat R_<label>/C_<label> scalars plus the arc list."""
        cm2 = area * M2_TO_CM2
        res = self.relative_residuals
        out: dict[str, Any] = {
            "circuit": self.cdc,
            "method": FIT_METHOD,
            "capacitance_method": CAPACITANCE_METHOD,
            "R_series_ohm": self.series,
            "R_series_ohm_cm2": self.series * cm2,
        }
        for arc in self.arcs:
            out[f"R_{arc.label}_ohm"] = arc.resistance
            out[f"R_{arc.label}_ohm_cm2"] = arc.resistance * cm2
            out[f"C_{arc.label}_F"] = arc.capacitance
            out[f"C_{arc.label}_F_per_cm2"] = arc.capacitance / cm2
            out[f"n_{arc.label}"] = arc.n
            out[f"apex_frequency_{arc.label}_Hz"] = arc.apex_frequency
        out["residual_max_relative"] = float(res.max())
        out["residual_rms_relative"] = float(np.sqrt(np.mean(res**2)))
        out["arcs"] = [_arc_row(arc, cm2) for arc in self.arcs]
        return out

    def write_csv(self, path: Path, area: float) -> None:
        """fit.csv: one row per element (the series resistance, then each arc)."""
        cm2 = area * M2_TO_CM2
        rows = [{"label": "series", "R_ohm": self.series, "R_stderr_ohm": self.series_stderr}]
        rows[0]["R_ohm_cm2"] = self.series * cm2
        rows += [_arc_row(arc, cm2) for arc in self.arcs]
        fields = list(_arc_row(self.arcs[0], cm2)) if self.arcs else list(rows[0])
        with path.open("w", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=fields)
            out.writeheader()
            for row in rows:
                out.writerow({k: _fmt(v) for k, v in row.items()})


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _fmt(v: Any) -> Any:
    return "" if v is None else (f"{v:.8g}" if isinstance(v, float) else v)


def _arc_row(arc: ArcFit, cm2: float) -> dict[str, Any]:
    return {
        "label": arc.label,
        "R_ohm": arc.resistance,
        "R_stderr_ohm": _finite(arc.stderr["R"]),
        "R_ohm_cm2": arc.resistance * cm2,
        "tau_s": arc.tau,
        "tau_stderr_s": _finite(arc.stderr["tau"]),
        "n": arc.n,
        "n_stderr": _finite(arc.stderr["n"]),
        "Y_S_s^n": arc.y,
        "C_eff_F": arc.capacitance,
        "C_eff_F_per_cm2": arc.capacitance / cm2,
        "apex_frequency_Hz": arc.apex_frequency,
    }


def seeded_cdc(drt: DRT, n_arcs: int, z_max: float) -> str:
    """The circuit R(Zarc)... with start values and bounds from the ``n_arcs`` largest peaks."""
    peaks = sorted(drt.peaks(), key=lambda p: -p.resistance)
    if len(peaks) < n_arcs:
        raise FitError(
            f"cannot fit {n_arcs} arcs: the DRT of the spectrum shows {len(peaks)} peak(s)"
        )
    r_max = 10 * z_max
    cdc = f"R{{R={max(drt.r_inf, 0.0):.8g}/0/{r_max:.8g}}}"
    for p in sorted(peaks[:n_arcs], key=lambda p: p.tau):
        r = max(p.resistance, 1e-9 * z_max)
        lo, hi = p.tau / 10**TAU_DECADES, p.tau * 10**TAU_DECADES
        tau = f"tau={p.tau:.8g}/{lo:.8g}/{hi:.8g}"
        cdc += f"Zarc{{R={r:.8g}/0/{r_max:.8g},{tau},n={N_START}/{N_MIN}/1}}"
    return cdc


def fit_arcs(
    frequency: np.ndarray, impedance: np.ndarray, n_arcs: int, drt: DRT | None = None
) -> CircuitFit:
    """Fit R_s + ``n_arcs`` × (R‖CPE) to Z(f) (Ω); arcs come out labelled arc1, arc2, ..."""
    import pyimpspec  # heavy import (about 2 s): only when a fit is asked for

    if n_arcs < 1:
        raise FitError("the spectrum shows no arc to fit")
    frequency = np.asarray(frequency, dtype=float)
    impedance = np.asarray(impedance, dtype=complex)
    drt = drt or compute_drt(frequency, impedance)
    cdc = seeded_cdc(drt, n_arcs, float(np.abs(impedance).max()))
    order = np.argsort(frequency)[::-1]
    data = pyimpspec.DataSet(frequency[order], impedance[order])
    result = pyimpspec.fit_circuit(
        pyimpspec.parse_cdc(cdc), data, method="leastsq", weight="modulus", num_procs=1
    )
    p = result.parameters  # element labels: R_1 (series), Zarc_1 ... Zarc_n
    arcs = []
    for k in range(1, n_arcs + 1):
        z = p[f"Zarc_{k}"]
        stderr = {name: z[name].stderr for name in ("R", "tau", "n")}
        arcs.append(ArcFit("", z["R"].value, z["tau"].value, z["n"].value, stderr))
    arcs.sort(key=lambda a: a.tau)
    fit = CircuitFit(
        "R" + "(RQ)" * n_arcs,
        p["R_1"]["R"].value,
        p["R_1"]["R"].stderr,
        arcs,
        frequency,
        impedance,
    )
    fit.label([f"arc{k}" for k in range(1, n_arcs + 1)])
    return fit


def assign_labels(
    taus: Sequence[float],
    resistances: Sequence[float],
    known: Mapping[str, float],
    constriction: bool,
) -> list[str]:
    """Name arcs (given by τ, increasing) after the model's processes.

    ``known`` maps a process to its intrinsic relaxation time (e.g. the electrolyte's
    ε0εr/σ, which is the bulk arc's τ whatever the geometry): the arc within
    ``MATCH_DECADES`` of it takes its name, closest pairs first. Of the arcs left, the largest
    is the constriction arc ``cstr`` if the interface constricts the current; the rest are
    ``arc<k>`` by position.
    """
    labels = [f"arc{k}" for k in range(1, len(taus) + 1)]
    free = set(range(len(taus)))
    pairs = sorted(
        (abs(math.log10(t / tk)), i, name) for name, tk in known.items() for i, t in enumerate(taus)
    )
    named: set[str] = set()
    for distance, i, name in pairs:
        if distance <= MATCH_DECADES and i in free and name not in named:
            labels[i] = name
            free.discard(i)
            named.add(name)
    if constriction and free:
        labels[max(free, key=lambda i: resistances[i])] = "cstr"
    return labels
