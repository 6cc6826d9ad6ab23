"""A run as a notebook sees it: the spectrum, the typed summary, figures, fields, pyimpspec.

A :class:`Result` reads a complete run folder, so a run made by :func:`eisfem.run`, by
``eisfem run`` or as a sweep case opens the same way, and nothing here needs the solver still in
memory. Figures are drawn by the functions that drew the folder's PNGs, from the same data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eisfem.core.errors import EisfemError
from eisfem.core.records import flatten, to_json
from eisfem.postprocess.impedance import Spectrum
from eisfem.simulation.result import ArcRecord, RunSummary, read_summary
from eisfem.simulation.rundir import is_complete

if TYPE_CHECKING:
    import pandas
    import pyimpspec
    import pyvista
    from matplotlib.figure import Figure

IMPEDANCE_FILE = "impedance.csv"


class Result:
    """One complete run folder.

    ``summary`` is the typed :class:`~eisfem.simulation.result.RunSummary` (attribute names are
    summary.json's keys: ``r.summary.fit.R_series_ohm_cm2``), ``spectrum`` the impedance with
    its electrode area.
    """

    def __init__(self, folder: str | Path):
        folder = Path(folder)
        if not is_complete(folder):
            raise EisfemError(f"{folder}: not a complete run folder (no COMPLETE marker)")
        self.folder = folder
        self.summary: RunSummary = read_summary(folder)
        self.spectrum = Spectrum.read_csv(folder / IMPEDANCE_FILE, self.summary.electrode_area_m2)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Result({s.name!r}: {len(s.arcs)} arcs, R_dc = {s.resistance_dc_ohm_cm2:.4g} Ω·cm², "
            f"{s.dofs} dofs; {self.folder})"
            if s.resistance_dc_ohm_cm2 is not None
            else f"Result({s.name!r}: {len(s.arcs)} arcs, open circuit; {self.folder})"
        )

    # --- spectrum -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def frequency(self) -> np.ndarray:
        """Frequencies (Hz), high to low."""
        return self.spectrum.frequency

    @property
    def impedance(self) -> np.ndarray:
        """Complex Z (Ω) at :attr:`frequency`, as impedance.csv stores it (10 significant
        digits); Z × :attr:`area_cm2` is area-specific (Ω·cm²)."""
        return self.spectrum.impedance

    @property
    def area_cm2(self) -> float:
        """The nominal electrode area (cm²) behind every area-specific value."""
        return self.summary.electrode_area_m2 * 1e4

    @property
    def arcs(self) -> list[ArcRecord]:
        """The arcs of the spectrum (apex frequency, −Im Z at the apex), high to low frequency."""
        return self.summary.arcs

    def scalars(self) -> dict[str, Any]:
        """Every scalar of the summary as ``{dotted.key: value}``: one row of a sweep's table
        (``pandas.DataFrame([a.scalars(), b.scalars()])`` compares runs side by side)."""
        return flatten(to_json(self.summary))

    def to_dataframe(self) -> pandas.DataFrame:
        """The spectrum as a table: impedance.csv's columns (Ω, degrees, Ω·cm²)."""
        import pandas as pd

        return pd.read_csv(self.folder / IMPEDANCE_FILE)

    def to_pyimpspec(self) -> pyimpspec.DataSet:
        """The spectrum (Ω, not area-specific) as a pyimpspec DataSet, labelled with the name."""
        import pyimpspec

        return pyimpspec.DataSet(self.frequency, self.impedance, label=self.name)

    # --- figures ------------------------------------------------------------------------------

    def _figures(self) -> dict[str, Figure]:
        from eisfem.simulation.outputs import DRT_FILE, figures, read_drt_csv
        from eisfem.simulation.summary import circuit_of

        s = self.summary
        drt = read_drt_csv(self.folder / DRT_FILE)
        return figures(s.name, self.spectrum, circuit_of(s.fit), drt, s.relaxation)

    def plot_nyquist(self) -> Figure:
        """Nyquist plot (Ω·cm²) with decades, arc apexes and the fitted circuit."""
        return self._figures()["nyquist"]

    def plot_bode(self) -> Figure:
        """|Z| and phase over frequency, with the fitted circuit."""
        return self._figures()["bode"]

    def plot_drt(self) -> Figure:
        """The distribution of relaxation times, with the model's exact relaxations."""
        return self._figures()["drt"]

    def plot_current_map(self) -> Figure:
        """|j_n| on the working-electrode interface at DC and at the constriction arc's apex."""
        from eisfem.postprocess.render import PANELS_FILE, map_figure

        path = self.folder / PANELS_FILE
        if not path.is_file():
            raise EisfemError(
                f"{self.folder}: no {PANELS_FILE} (output.render off, or made by an older eisfem)"
            )
        return map_figure(path)

    # --- fields -------------------------------------------------------------------------------

    @property
    def field_frequencies(self) -> list[float]:
        """Frequencies (Hz, 0 = DC) at which the potential and current fields were written."""
        return self.summary.field_frequencies_Hz

    def fields(self, frequency: float = 0.0) -> pyvista.UnstructuredGrid:
        """The potential and current fields at the stored frequency nearest ``frequency`` (Hz).

        A pyvista mesh (metres) with point arrays ``phi_re``, ``phi_im``, ``phi_abs`` and cell
        arrays of the current density; ``mesh.field_data["frequency_Hz"]`` says which frequency.
        """
        from eisfem.postprocess.field_files import read_fields
        from eisfem.postprocess.paraview import FIELDS_FILE

        return read_fields(self.folder / FIELDS_FILE, frequency)

    def interface_fields(self, frequency: float = 0.0) -> pyvista.UnstructuredGrid:
        """``jn_rel`` = |j_n| / j_nominal on the interface cells (0 elsewhere) at ``frequency``."""
        from eisfem.postprocess.field_files import read_fields
        from eisfem.simulation.focusing import INTERFACE_FILE

        return read_fields(self.folder / INTERFACE_FILE, frequency)
