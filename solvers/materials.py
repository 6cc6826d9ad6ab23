"""Complex admittivity of linear media: κ(ω) = σ + iωε0εr (S/m)."""

from __future__ import annotations

import numpy as np

from eisfem.config import Material

EPS0 = 8.8541878128e-12  # vacuum permittivity, F/m (CODATA 2018)


def admittivity(material: Material, omega: float | np.ndarray) -> complex | np.ndarray:
    """κ(ω) of ``material`` at angular frequency ``omega`` (rad/s)."""
    return material.conductivity + 1j * omega * EPS0 * material.permittivity


def carries_current(material: Material) -> bool:
    """True when the medium carries any current at all (conduction or displacement)."""
    return material.conductivity > 0 or material.permittivity > 0
