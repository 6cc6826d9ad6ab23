"""Impedance spectra: the frequency grid, the CSV table and the arcs' apex frequencies."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

M2_TO_CM2 = 1e4


def log_frequencies(f_max: float, f_min: float, points_per_decade: int) -> np.ndarray:
    """Log-spaced frequencies from ``f_max`` down to ``f_min``, both included."""
    decades = np.log10(f_max / f_min)
    n = max(2, round(decades * points_per_decade) + 1)
    return np.logspace(np.log10(f_max), np.log10(f_min), n)


@dataclass
class Arc:
    """One arc of the spectrum, located by its apex (local maximum of −Im Z over log f)."""

    apex_frequency_Hz: float
    apex_minus_imag_ohm: float

    @property
    def resistance_estimate_ohm(self) -> float:
        """2 × (−Im Z) at the apex: exact for an ideal parallel RC, an estimate otherwise."""
        return 2.0 * self.apex_minus_imag_ohm


@dataclass
class Spectrum:
    frequency: np.ndarray  # Hz
    impedance: np.ndarray  # Ω (complex), Z = V/I with I the current into the WE
    area: float  # nominal electrode area used for area-specific values, m²
    error_estimate: np.ndarray | None = None  # relative error of Z at each frequency

    @property
    def area_specific(self) -> np.ndarray:
        """Z × area in Ω·cm²."""
        return self.impedance * self.area * M2_TO_CM2

    @classmethod
    def read_csv(cls, path: Path, area: float) -> Spectrum:
        """The spectrum of an ``impedance.csv`` written by :meth:`write_csv`."""
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        f = np.array([float(r["frequency_Hz"]) for r in rows])
        z = np.array([complex(float(r["Z_real_ohm"]), float(r["Z_imag_ohm"])) for r in rows])
        return cls(f, z, area)

    def write_csv(self, path: Path) -> None:
        """The table; with an error estimate, its column ``Z_rel_error_estimate`` (|δZ|/|Z|)."""
        header = [
            "frequency_Hz",
            "Z_real_ohm",
            "Z_imag_ohm",
            "Z_abs_ohm",
            "phase_deg",
            "Z_real_ohm_cm2",
            "Z_imag_ohm_cm2",
        ]
        rows = [
            [
                f"{f:.10g}",
                f"{z.real:.10g}",
                f"{z.imag:.10g}",
                f"{abs(z):.10g}",
                f"{np.degrees(np.angle(z)):.8g}",
                f"{za.real:.10g}",
                f"{za.imag:.10g}",
            ]
            for f, z, za in zip(self.frequency, self.impedance, self.area_specific, strict=True)
        ]
        if self.error_estimate is not None:
            header.append("Z_rel_error_estimate")
            for row, e in zip(rows, self.error_estimate, strict=True):
                row.append(f"{e:.3g}")
        with path.open("w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)

    def arcs(self, min_relative_height: float = 0.01) -> list[Arc]:
        """Arcs from high to low frequency.

        An apex is a local maximum of −Im Z on the log-f grid that stands above
        ``min_relative_height`` of the largest −Im Z; its position is refined by a parabola
        through the three grid points around it.
        """
        order = np.argsort(self.frequency)
        logf = np.log10(self.frequency[order])
        y = -self.impedance.imag[order]
        if y.size < 3 or y.max() <= 0:
            return []
        floor = min_relative_height * y.max()
        arcs = []
        for i in range(1, y.size - 1):
            if y[i] > y[i - 1] and y[i] >= y[i + 1] and y[i] > floor:
                x0, x1, x2 = logf[i - 1 : i + 2]
                y0, y1, y2 = y[i - 1 : i + 2]
                denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
                a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom
                b = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / denom
                xv = -b / (2 * a) if a < 0 else x1
                xv = min(max(xv, x0), x2)
                yv = y1 + a * (xv**2 - x1**2) + b * (xv - x1)
                arcs.append(Arc(float(10**xv), float(max(yv, y1))))
        return sorted(arcs, key=lambda arc: -arc.apex_frequency_Hz)
