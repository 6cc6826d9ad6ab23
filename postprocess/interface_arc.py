"""The interface arc of an imperfect contact, as an equivalent-circuit analysis would report it.

Experimentalists fit R_s + (R‖Q)_GB + (R‖Q)_int and read the interface arc's resistance, apex
frequency and capacitance, the bulk and grain-boundary elements being those of the electrolyte.
The model's counterpart: the cell's impedance minus that of the same electrode in full contact
(for a homogeneous or brick-layer electrolyte exactly its DC resistance × κ(0)/κ(ω)). What is
left is the contact's own contribution; its DC value is R_int, its −Im apex f_apex, and
C_int = 1/(2π f_apex R_int), the capacitance of the ideal R‖C with the same R and apex.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum


@dataclass(frozen=True)
class InterfaceArc:
    resistance_ohm_cm2: float  # DC value of the contribution
    apex_frequency_Hz: float  # of its largest −Im Z apex
    capacitance_F_per_cm2: float  # 1/(2π f_apex R)

    @property
    def tau_s(self) -> float:
        return 1.0 / (2 * math.pi * self.apex_frequency_Hz)

    def as_dict(self) -> dict[str, float]:
        return asdict(self) | {"tau_s": self.tau_s}


def area_spectrum(frequency: np.ndarray, z_ohm_cm2: np.ndarray) -> Spectrum:
    """A Spectrum whose impedance is given in Ω·cm² (nominal area 1 cm²)."""
    return Spectrum(np.asarray(frequency), np.asarray(z_ohm_cm2), 1.0 / M2_TO_CM2)


def interface_arc(
    frequency: np.ndarray, z: np.ndarray, z_full: np.ndarray, r_dc: float, r_dc_full: float
) -> InterfaceArc:
    """The arc of ``z`` − ``z_full`` (Ω·cm² at ``frequency``), with DC values ``r_dc`` and
    ``r_dc_full``. Raises ValueError if the difference shows no apex in the range."""
    arcs = area_spectrum(frequency, np.asarray(z) - np.asarray(z_full)).arcs()
    if not arcs:
        raise ValueError("the interface contribution has no arc in the frequency range")
    apex = max(arcs, key=lambda a: a.apex_minus_imag_ohm).apex_frequency_Hz
    r = r_dc - r_dc_full
    return InterfaceArc(r, apex, 1.0 / (2 * math.pi * apex * r))


def apparent_electrolyte_resistance(
    frequency: np.ndarray, z_ohm_cm2: np.ndarray, z_full_contact: np.ndarray
) -> tuple[float, float]:
    """(Re Z, the frequency read): what an analyst reads as bulk + grain-boundary resistance.

    Re Z one decade below the grain-boundary apex of the same pellet in full contact, where
    that spectrum has closed its grain-boundary arc (Re Z there is R_SE to 1 %) and an
    interface arc lies further down. Whatever part of the interface is not yet shorted by its
    capacitance at that frequency (gaps) adds to it; whatever shortens the ionic path
    (a filament) takes from it.
    """
    f_gb = min(a.apex_frequency_Hz for a in area_spectrum(frequency, z_full_contact).arcs())
    f_read = f_gb / 10
    order = np.argsort(frequency)
    re = np.interp(np.log(f_read), np.log(frequency[order]), z_ohm_cm2.real[order])
    return float(re), f_read
