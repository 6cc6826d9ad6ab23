"""Every example config in configs/ runs to a spectrum (with small-mesh overrides)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from eisfem.cli.main import main
from tests.helpers import CONFIGS

ALL_YAML = sorted(CONFIGS.glob("*.yaml"))
# sweep files (a base config plus a `sweep:` block) are exercised by tests/unit/test_sweep.py
# and tests/system/test_sweep_run.py
RUN_CONFIGS = [p for p in ALL_YAML if "sweep" not in (yaml.safe_load(p.read_text()) or {})]
SMALL = [
    "solver.degree=1",
    "mesh.refine=0.5",
    "frequencies.points_per_decade=1",
    "output.fields_at_apex=false",
    # the p-enrichment estimate is tested in tests/fem/test_error_estimate.py; here it would
    # double the cost of every example for nothing this test checks
    "accuracy.estimate=false",
]


@pytest.mark.parametrize("config", RUN_CONFIGS, ids=lambda p: p.stem)
def test_example_runs_to_a_spectrum(config: Path, tmp_path: Path):
    out = tmp_path / config.stem
    overrides = [arg for item in SMALL for arg in ("--set", item)]
    assert main(["run", str(config), "--out", str(out), "--quiet", *overrides]) == 0
    rows = list(csv.DictReader((out / "impedance.csv").open()))
    z = np.array([complex(float(r["Z_real_ohm"]), float(r["Z_imag_ohm"])) for r in rows])
    assert len(z) >= 3 and np.all(np.isfinite(z))
    assert np.all(z.real > 0)  # passive
    geometry = json.loads((out / "summary.json").read_text())["geometry"]
    assert 0 < geometry["contact_fraction"] <= 1 + 1e-12
    assert (out / "mesh.msh").is_file()
