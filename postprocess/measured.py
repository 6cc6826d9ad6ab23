"""Measured spectra from instrument files, read with pyimpspec's parsers.

Tested formats: CSV with a header naming the columns (frequency, Re Z, Im Z or −Im Z, as
pyimpspec detects them by prefix: ``f``, ``freq``, ``Z'``, ``Z''``, ``re``, ``im``, ... with a
leading minus meaning the negated quantity), BioLogic EC-Lab ``.mpt`` (the header line must
start with ``freq/Hz``), Gamry ``.dta`` (ZCURVE table) and ZView ``.z``. pyimpspec reads more
(``.txt`` as CSV, Ivium ``.ids``, PalmSens ``.pssession``, spreadsheets, ...), untested here.
Files with several sweeps (cycles) hold several spectra.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eisfem.core.errors import EisfemError

TESTED_FORMATS = (".csv", ".mpt", ".dta", ".z")


class MeasuredDataError(EisfemError):
    """A measured-spectrum file is missing, unreadable or holds no usable points."""


@dataclass
class MeasuredSpectrum:
    frequency: np.ndarray  # Hz, decreasing
    impedance: np.ndarray  # as in the file: Ω (or Ω·cm² if the file is area-specific)
    label: str
    count: int  # spectra in the file


def read_measured(path: Path, index: int = 0) -> MeasuredSpectrum:
    """Spectrum number ``index`` (0 = first) of the file at ``path``."""
    import pyimpspec  # heavy import: only when a file is read

    if not path.is_file():
        raise MeasuredDataError(f"{path}: no such file")
    try:
        sets = pyimpspec.parse_data(path)
    except Exception as exc:  # the parsers raise many types for unreadable files
        kinds = ", ".join(TESTED_FORMATS)
        raise MeasuredDataError(
            f"{path}: cannot read a spectrum ({type(exc).__name__}: {exc}); tested formats: {kinds}"
        ) from None
    if not 0 <= index < len(sets):
        raise MeasuredDataError(
            f"{path}: holds {len(sets)} spectra; the spectrum index must be 0..{len(sets) - 1} "
            f"(got {index})"
        )
    data = sets[index]
    f = np.asarray(data.get_frequencies(), dtype=float)
    z = np.asarray(data.get_impedances(), dtype=complex)
    keep = (f > 0) & np.isfinite(f) & np.isfinite(z) & (np.abs(z) > 0)
    if keep.sum() < 3:
        raise MeasuredDataError(f"{path}: fewer than 3 points with f > 0 and finite, nonzero Z")
    order = np.argsort(f[keep])[::-1]
    return MeasuredSpectrum(f[keep][order], z[keep][order], data.get_label(), len(sets))
