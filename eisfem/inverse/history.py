"""The fit's memory: ``fit_history.csv`` (one row per evaluation) and each evaluated spectrum.

Every evaluation is written as it finishes: its spectrum to ``evaluations/<key>.csv`` (written
under a temporary name and renamed, with 17 significant digits so it reads back bit for bit),
then its row to ``fit_history.csv`` (flushed). The key is a hash of the evaluated physics (the
resolved run config without its name, and the frequencies), so a fit started again in the same
folder finds every evaluation it already made: the optimiser, being deterministic, retraces its
steps from the stored spectra in no time and goes on from where it was interrupted. Failed
evaluations are remembered too (they would fail again).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eisfem.core.errors import EisfemError

FIXED_COLUMNS = ("evaluation", "key", "status", "misfit")
TAIL_COLUMNS = ("dofs", "seconds", "error")


@dataclass
class Evaluation:
    """One forward model evaluation at the free parameters' ``values`` (SI)."""

    key: str
    values: tuple[float, ...]
    impedance: np.ndarray | None  # Ω·cm² at the fit's frequencies; None if it failed
    error: str = ""
    dofs: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.impedance is not None


class History:
    """Append-only record of a fit's evaluations in ``folder``."""

    def __init__(self, folder: Path, fields: list[str], frequency: np.ndarray):
        self.folder = folder
        self.fields = fields
        self.frequency = frequency
        self.path = folder / "fit_history.csv"
        self.spectra = folder / "evaluations"
        self.columns = [*FIXED_COLUMNS, *fields, *TAIL_COLUMNS]
        self.count = 0

    def load(self) -> dict[str, Evaluation]:
        """Evaluations recorded by an earlier (possibly interrupted) fit in this folder."""
        if not self.path.is_file():
            return {}
        with self.path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != self.columns:
                raise EisfemError(
                    f"{self.path}: the history of a fit of other free fields "
                    f"({', '.join(reader.fieldnames or [])}); use another --out"
                )
            rows = list(reader)
        known: dict[str, Evaluation] = {}
        for row in rows:
            z = self._read_spectrum(row["key"]) if row["status"] == "ok" else None
            if row["status"] == "ok" and z is None:
                continue  # the row outlived its spectrum file: evaluate again
            known[row["key"]] = Evaluation(
                row["key"],
                tuple(float(row[f]) for f in self.fields),
                z,
                row["error"],
                int(row["dofs"] or 0),
                float(row["seconds"] or 0.0),
            )
        self.count = len(rows)
        return known

    def _read_spectrum(self, key: str) -> np.ndarray | None:
        path = self.spectra / f"{key}.csv"
        if not path.is_file():
            return None
        data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        if data.shape[0] != self.frequency.size or not np.allclose(
            data[:, 0], self.frequency, rtol=1e-12
        ):
            return None
        return data[:, 1] + 1j * data[:, 2]

    def append(self, evaluation: Evaluation, misfit: float | None) -> None:
        if evaluation.ok:
            self.spectra.mkdir(exist_ok=True)
            final = self.spectra / f"{evaluation.key}.csv"
            tmp = final.with_suffix(".tmp")
            z = evaluation.impedance
            table = np.column_stack([self.frequency, z.real, z.imag])
            np.savetxt(
                tmp,
                table,
                fmt="%.17g",
                delimiter=",",
                header="frequency_Hz,Z_real_ohm_cm2,Z_imag_ohm_cm2",
                comments="",
            )
            tmp.replace(final)
        new = not self.path.is_file()
        with self.path.open("a", newline="") as fh:
            writer = csv.writer(fh)
            if new:
                writer.writerow(self.columns)
            self.count += 1
            writer.writerow(
                [
                    self.count,
                    evaluation.key,
                    "ok" if evaluation.ok else "failed",
                    "" if misfit is None else f"{misfit:.8g}",
                    *(f"{v:.17g}" for v in evaluation.values),
                    evaluation.dofs,
                    f"{evaluation.seconds:.3f}",
                    evaluation.error,
                ]
            )
            fh.flush()
            os.fsync(fh.fileno())
