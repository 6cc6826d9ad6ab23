"""Media of the volumes: complex admittivity κ(ω) (S/m) as a callable of ω (rad/s).

The system only ever calls ``medium(omega)``, so any frequency law (a plain σ + iωε0εr, an
effective medium with its own relaxations) plugs in without touching the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

EPS0 = 8.8541878128e-12  # vacuum permittivity, F/m (CODATA 2018)


@dataclass(frozen=True)
class LinearMedium:
    """A homogeneous isotropic medium: κ(ω) = σ + iωε0εr."""

    conductivity: float  # S/m
    permittivity: float  # relative

    def __call__(self, omega: float) -> complex:
        return self.conductivity + 1j * omega * EPS0 * self.permittivity
