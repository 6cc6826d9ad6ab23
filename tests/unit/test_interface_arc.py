"""The interface arc read off a spectrum minus its full-contact reference (plain arrays)."""

import math

import numpy as np
import pytest

from eisfem.postprocess.interface_arc import interface_arc


def test_an_ideal_rc_on_top_of_a_reference_is_read_back():
    """Z = Z_ref + R/(1 + iωRC): R exactly, the apex to the parabola's accuracy on 20 points
    per decade (< 0.1 %), C = 1/(2π f_apex R) to the same."""
    f = np.logspace(8, 1, 141)
    w = 2 * np.pi * f
    reference = 10.0 / (1 + 1j * w * 1e-8) + 3.0  # a bulk-like arc and a series resistance
    R, C = 53.0, 34e-9
    z = reference + R / (1 + 1j * w * R * C)
    arc = interface_arc(f, z, reference, r_dc=13.0 + R, r_dc_full=13.0)
    assert arc.resistance_ohm_cm2 == pytest.approx(R, rel=1e-12)
    assert arc.apex_frequency_Hz == pytest.approx(1 / (2 * math.pi * R * C), rel=1e-3)
    assert arc.capacitance_F_per_cm2 == pytest.approx(C, rel=1e-3)
    assert arc.tau_s == pytest.approx(R * C, rel=1e-3)


def test_no_contribution_is_an_error():
    f = np.logspace(6, 1, 51)
    z = 5.0 / (1 + 1j * 2 * np.pi * f * 1e-7)
    with pytest.raises(ValueError, match="no arc"):
        interface_arc(f, z, z, 5.0, 5.0)
