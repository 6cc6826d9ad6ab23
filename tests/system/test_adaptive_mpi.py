"""accuracy.target under `mpiexec -n 2`: the refinement runs on the distributed mesh and gives
the serial result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from eisfem.solvers.reduced_order import DEFAULT_TOLERANCE

BIN = Path(sys.executable).parent
TARGET = 1e-2
CONFIG = {
    "name": "adaptive",
    "cell": {"shape": "cylinder", "radius": "25 um", "thickness": "50 um"},
    "interface": {"kind": "disk", "radius": "10 um"},
    "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    "mesh": {"size_bulk": "12 um", "size_interface": "5 um", "size_edge": "3 um"},
    "frequencies": {"max": "100 GHz", "min": "100 kHz", "points_per_decade": 1},
    "accuracy": {"target": TARGET},
    "output": {"render": False},
}


def impedance(folder: Path) -> np.ndarray:
    table = np.loadtxt(folder / "impedance.csv", delimiter=",", skiprows=1)
    return table[:, 1] + 1j * table[:, 2]


@pytest.mark.mpi
def test_two_ranks_refine_like_one(tmp_path):
    """Same passes, dofs and Z (within the sweep's tolerance: plaza may break a tie between
    equally long edges differently on two ranks, a change far below the estimate)."""
    config = tmp_path / "adaptive.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    runs = {}
    for ranks in (1, 2):
        out = tmp_path / f"n{ranks}"
        command = [str(BIN / "eisfem"), "run", str(config), "--out", str(out), "--quiet"]
        if ranks > 1:
            command = [str(BIN / "mpiexec"), "-n", str(ranks), *command]
        subprocess.run(command, check=True, timeout=600)
        runs[ranks] = out
    acc = {n: json.loads((runs[n] / "summary.json").read_text())["accuracy"] for n in runs}
    assert acc[1]["target_reached"] and acc[2]["target_reached"]
    assert len(acc[1]["iterations"]) == len(acc[2]["iterations"]) >= 2
    dofs = {n: np.array([i["dofs"] for i in acc[n]["iterations"]]) for n in runs}
    assert np.all(np.abs(dofs[2] / dofs[1] - 1) < 0.01), dofs
    assert np.max(np.abs(impedance(runs[2]) / impedance(runs[1]) - 1)) < DEFAULT_TOLERANCE
