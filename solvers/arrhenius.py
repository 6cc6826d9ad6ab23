"""Temperature dependence of thermally activated conductances: σT = σ0·exp(−Ea/kT).

Every contribution (grain bulk, grain boundary, charge transfer, interphase) is given at a
reference temperature with its own activation energy; this module moves it to the run
temperature and, the other way round, reads an apparent activation energy off resistances
measured at several temperatures (the Arrhenius plot of an arc).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BOLTZMANN_EV = 8.617333262e-5  # eV/K (CODATA 2018)


def arrhenius_factor(
    activation_energy: float | None, reference_temperature: float, temperature: float
) -> float:
    """σ(T)/σ(T_ref) for σT = σ0·exp(−Ea/kT); 1 without an activation energy."""
    if activation_energy is None:
        return 1.0
    inverse = 1.0 / temperature - 1.0 / reference_temperature
    return reference_temperature / temperature * np.exp(-activation_energy / BOLTZMANN_EV * inverse)


def apparent_activation_energy(
    temperatures: Sequence[float], resistances: Sequence[float]
) -> float:
    """Ea (eV) of a resistance R(T) ∝ 1/σ(T) by a least-squares line of ln(T/R) over 1/T."""
    t = np.asarray(temperatures, dtype=float)
    r = np.asarray(resistances, dtype=float)
    if t.size < 2 or np.ptp(t) == 0:
        raise ValueError("an activation energy needs at least two different temperatures")
    slope = np.polyfit(1.0 / t, np.log(t / r), 1)[0]
    return float(-slope * BOLTZMANN_EV)
