"""Simulated spectra obey the Kramers–Kronig relations (Lin-KK residuals < 0.5 % of |Z|), and
the test is able to fail: the pore-array spectrum with 2 % added to the imaginary part below the
middle frequency, or with 1 % noise, does not pass. (The brick-layer spectrum is flat below
its arcs, so a change of its small imaginary part there is no test.)

The spectra: a pore array with charge transfer on the contact (bulk, constriction and
charge-transfer arcs over nine decades) and a brick-layer slab (bulk and grain-boundary arcs).
"""

from __future__ import annotations

import numpy as np

from eisfem.config import parse_config
from eisfem.postprocess.impedance import log_frequencies
from eisfem.postprocess.kramers_kronig import lin_kk
from eisfem.simulation.model import build_mesh, build_system
from tests.helpers import nzsp

LIMIT = 5e-3


def spectrum(raw: dict, f: np.ndarray) -> np.ndarray:
    cfg = parse_config(raw)
    return build_system(cfg, build_mesh(cfg)).direct_impedance(f)


def test_simulated_spectra_pass_lin_kk_and_perturbed_ones_fail():
    f = log_frequencies(1e10, 10.0, 5)
    pores = spectrum(
        {
            "cell": {"shape": "patch", "side": 100e-6, "thickness": 20e-6},
            "interface": {"kind": "pores", "radius": 40e-6, "height": 20e-9, "spacing": 100e-6},
            "materials": nzsp(),
            "kinetics": {
                "we": {
                    "charge_transfer_resistance": "1.3 ohm*cm^2",
                    "double_layer_capacitance": "10 uF/cm^2",
                }
            },
            "solver": {"degree": 1},
        },
        f,
    )
    brick = spectrum(
        {
            "cell": {"shape": "patch", "side": 50e-6, "thickness": 20e-6},
            "materials": {"electrolyte": {"preset": "NZSP-polycrystal"}},
            "solver": {"degree": 1},
        },
        f,
    )
    for Z in (pores, brick):
        assert lin_kk(f, Z).max_residual < LIMIT
    skewed = pores.copy()
    skewed.imag[len(f) // 2 :] *= 1.02
    assert lin_kk(f, skewed).max_residual > LIMIT
    noisy = brick * (1 + 0.01 * np.random.default_rng(1).standard_normal(len(f)))
    assert lin_kk(f, noisy).max_residual > LIMIT
