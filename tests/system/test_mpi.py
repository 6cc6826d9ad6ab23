"""`mpiexec -n 2 eisfem run` gives the serial spectrum and writes one run folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import DEMO

BIN = Path(sys.executable).parent
SMALL = ["--set", "solver.degree=1", "--set", "mesh.refine=0.5", "--quiet"]
SMALL += ["--set", "frequencies.points_per_decade=3"]


def impedance(folder: Path) -> np.ndarray:
    table = np.loadtxt(folder / "impedance.csv", delimiter=",", skiprows=1)
    return table[:, 1] + 1j * table[:, 2]


@pytest.mark.mpi
def test_two_ranks_give_the_serial_spectrum(tmp_path):
    """The default path: fast sweep, MUMPS snapshots distributed over the ranks."""
    runs = {}
    for ranks in (1, 2):
        out = tmp_path / f"n{ranks}"
        command = [str(BIN / "eisfem"), "run", str(DEMO), "--out", str(out), *SMALL]
        if ranks > 1:
            command = [str(BIN / "mpiexec"), "-n", str(ranks), *command]
        subprocess.run(command, check=True, timeout=600)
        runs[ranks] = out
    # the CSV holds 10 significant digits: enough to see 1e-8
    assert np.max(np.abs(impedance(runs[2]) / impedance(runs[1]) - 1)) < 1e-8
    summaries = {n: json.loads((runs[n] / "summary.json").read_text()) for n in runs}
    assert summaries[2]["mpi_ranks"] == 2
    assert summaries[2]["dofs"] == summaries[1]["dofs"]
    same = summaries[1]["sweep"]["snapshot_frequencies_Hz"]
    assert summaries[2]["sweep"]["snapshot_frequencies_Hz"] == same
    # written once: one complete folder per run, no partial folders left beside them
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n1", "n2"]
    assert (runs[2] / "COMPLETE").is_file() and (runs[2] / "fields.h5").is_file()
