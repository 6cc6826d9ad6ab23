"""Arrhenius analysis of a configured cell: spectra at several temperatures and the apparent
activation energy of each arc.

The mesh does not depend on temperature, so it is built once; only the media and kinetics move
with T. Each arc is followed by its order in frequency (arcs do not cross as T changes unless
their activation energies differ enough to swap them; a changing arc count is an error, not a
silent mismatch). An arc's resistance is 2 × (−Im Z) at its apex (exact for a separated RC arc),
its apparent activation energy the slope of ln(T/R) over 1/T; the apex frequency gives a second
estimate through f_apex ∝ σ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eisfem.config import RunConfig
from eisfem.core.errors import SolverError
from eisfem.geometry.mesh import MeshBundle
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.arrhenius import apparent_activation_energy


@dataclass
class ArcArrhenius:
    resistance_ohm: list[float]  # per temperature
    apex_frequency_Hz: list[float]
    activation_energy_eV: float  # from the resistances
    activation_energy_from_apex_eV: float  # from the apex frequencies


@dataclass
class TemperatureSweep:
    temperatures_K: list[float]
    spectra: list[Spectrum]
    arcs: list[ArcArrhenius]  # high to low frequency


def temperature_series(
    cfg: RunConfig, temperatures: Sequence[float], bundle: MeshBundle | None = None
) -> TemperatureSweep:
    """Spectra of ``cfg`` at each temperature (K) and each arc's apparent activation energy."""
    bundle = bundle or build_mesh(cfg)
    freqs = log_frequencies(
        cfg.frequencies.max, cfg.frequencies.min, cfg.frequencies.points_per_decade
    )
    spectra = []
    for T in temperatures:
        system = build_system(cfg.model_copy(update={"temperature": float(T)}), bundle)
        spectra.append(Spectrum(freqs, system.direct_impedance(freqs), bundle.electrode_area))
    per_T = [s.arcs() for s in spectra]
    counts = {len(a) for a in per_T}
    if len(counts) != 1:
        found = ", ".join(f"{T:g} K: {len(a)}" for T, a in zip(temperatures, per_T, strict=True))
        raise SolverError(
            f"the number of arcs changes with temperature ({found}); widen frequencies so every "
            "arc stays inside the range at every temperature"
        )
    arcs = []
    for i in range(counts.pop()):
        R = [a[i].resistance_estimate_ohm for a in per_T]
        f = [a[i].apex_frequency_Hz for a in per_T]
        arcs.append(
            ArcArrhenius(
                R,
                f,
                apparent_activation_energy(temperatures, R),
                apparent_activation_energy(temperatures, 1.0 / np.asarray(f)),
            )
        )
    return TemperatureSweep([float(T) for T in temperatures], spectra, arcs)
