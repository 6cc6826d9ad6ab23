"""Regression tests for two bugs of the architecture review (both fail on commit 3a1b834)."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from eisfem.batch.sweep import load_sweep
from eisfem.config import parse_config
from eisfem.simulation.outputs import known_relaxations

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
EPS0 = 8.8541878128e-12  # F/m
K_B = 8.617333262e-5  # eV/K


def test_bulk_relaxation_time_follows_the_run_temperature():
    """τ_bulk = ε0εr/σ(T) with σT = σ0 exp(−Ea/kT): at 80 °C, σ is ~3.9× the 25 °C value."""
    sigma_ref, eps_r, ea, t_ref, t = 0.55, 30.0, 0.3, 298.15, 353.15
    cfg = parse_config(
        {
            "cell": {"shape": "patch", "side": "100 um", "thickness": "100 um"},
            "materials": {
                "electrolyte": {
                    "conductivity": f"{sigma_ref} S/m",
                    "permittivity": eps_r,
                    "activation_energy": f"{ea} eV",
                }
            },
            "temperature": f"{t} K",
        }
    )
    sigma_t = sigma_ref * t_ref / t * math.exp(-ea / K_B * (1 / t - 1 / t_ref))
    assert math.isclose(known_relaxations(cfg)["bulk"], EPS0 * eps_r / sigma_t, rel_tol=1e-12)


def test_sweep_resolves_mask_paths_against_the_base_config(tmp_path, monkeypatch):
    """A relative mask path in a sweep's base config is relative to that config's folder,
    wherever the sweep is started from."""
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "base": str(CONFIGS / "image_contact_map.yaml"),
                "sweep": {"grid": {"interface.height": ["100 nm", "200 nm"]}},
            }
        )
    )
    monkeypatch.chdir(tmp_path)  # the mask is not under the working directory
    cases = load_sweep(sweep).cases
    assert len(cases) == 2
    expected = (CONFIGS / "masks" / "contact_map.png").resolve()
    assert all(Path(c.config.interface.path) == expected for c in cases)
