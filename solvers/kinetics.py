"""Interface kinetics on a metal|electrolyte contact as surface admittances Y(ω) (S/m²).

A contact carries a Robin condition −κ∂φ/∂n = Y(ω)(φ − V_metal) (docs/design.md §2.3). Its pieces:

* charge transfer with a double layer, Y = 1/R_ct + iωC_dl, where R_ct is the small-signal
  limit of Butler–Volmer kinetics, j = i0 [exp(αa f η) − exp(−αc f η)], f = F/RT, η the
  overpotential metal minus electrolyte: 1/R_ct = i0 f (αa + αc);
* a thin interphase (SEI) of thickness d, Y = (σ + iωε0εr)/d;
* several of them in series (metal | charge transfer | interphase | electrolyte).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eisfem.solvers.materials import LinearMedium

FARADAY = 96485.33212  # C/mol (CODATA 2018)
GAS_CONSTANT = 8.314462618  # J/(mol·K) (CODATA 2018)


@dataclass(frozen=True)
class ChargeTransfer:
    """Butler–Volmer charge transfer in parallel with a double layer (i0 = 0: blocking)."""

    exchange_current_density: float  # A/m²
    double_layer_capacitance: float  # F/m²
    alpha_anodic: float
    alpha_cathodic: float
    temperature: float  # K

    @classmethod
    def from_resistance(
        cls, resistance: float, capacitance: float, alpha_a: float, alpha_c: float, T: float
    ) -> ChargeTransfer:
        """The kinetics whose small-signal resistance is ``resistance`` (Ω·m²) at T."""
        f = FARADAY / (GAS_CONSTANT * T)
        return cls(1.0 / (resistance * f * (alpha_a + alpha_c)), capacitance, alpha_a, alpha_c, T)

    @property
    def f(self) -> float:
        """F/RT (1/V)."""
        return FARADAY / (GAS_CONSTANT * self.temperature)

    @property
    def conductance(self) -> float:
        """1/R_ct (S/m²): the slope of the Butler–Volmer current at η = 0."""
        return self.exchange_current_density * self.f * (self.alpha_anodic + self.alpha_cathodic)

    def __call__(self, omega: float) -> complex:
        return self.conductance + 1j * omega * self.double_layer_capacitance

    def current(self, eta: Any, exp: Callable[[Any], Any] = np.exp) -> Any:
        """Butler–Volmer current density (A/m², metal → electrolyte) at overpotential ``eta``.

        ``exp`` is the exponential of the arguments' kind (numpy, or ``ufl.exp`` in a form).
        """
        f = self.f
        return self.exchange_current_density * (
            exp(self.alpha_anodic * f * eta) - exp(-self.alpha_cathodic * f * eta)
        )


@dataclass(frozen=True)
class ThinLayer:
    """A layer of a medium, thin against the contact, as Y = κ(ω)/d."""

    medium: LinearMedium
    thickness: float  # m

    def __call__(self, omega: float) -> complex:
        return self.medium(omega) / self.thickness


@dataclass(frozen=True)
class Series:
    """Admittances in series: 1/Y = Σ 1/Y_k (any zero part blocks)."""

    parts: Sequence[Callable[[float], complex]]

    def __call__(self, omega: float) -> complex:
        values = [complex(p(omega)) for p in self.parts]
        if any(v == 0 for v in values):
            return 0j
        return 1.0 / sum(1.0 / v for v in values)
