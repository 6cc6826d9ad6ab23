"""`eisfem slurm` for real: a 4-case job array through sbatch on a single-node Slurm cluster
(Debian's slurm-wlm, started on localhost by tests/system/slurm_local.sh), then `eisfem collect`;
and one case as a 2-rank MPI job through `srun --mpi=pmi2`.

The cluster needs root and apt (about 10 s to install, under a second to start). The test runs
where CI=true or EISFEM_TEST_SLURM=1 is set, since it installs packages, rewrites
/etc/slurm/slurm.conf and starts daemons; it skips with the reason where Slurm cannot be
installed. Without Slurm, test_sweep_run.py runs the same array script through bash.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from test_sweep_run import write_sweep

from eisfem.batch.aggregate import collect
from eisfem.batch.sweepdir import COMPLETE, SweepDir
from eisfem.cli.main import main

pytestmark = pytest.mark.slurm

CLUSTER = Path(__file__).with_name("slurm_local.sh")
NOT_INSTALLABLE = 4  # exit status of slurm_local.sh when apt cannot install slurm-wlm


@pytest.fixture(scope="module")
def slurm_cluster():
    if not (os.environ.get("CI") or os.environ.get("EISFEM_TEST_SLURM")):
        pytest.skip(
            "starts root daemons and rewrites /etc/slurm: set EISFEM_TEST_SLURM=1 (CI does)"
        )
    if os.geteuid() != 0:
        pytest.skip("installing and starting Slurm needs root")
    start = subprocess.run(
        ["bash", str(CLUSTER), "start"], capture_output=True, text=True, timeout=900
    )
    if start.returncode == NOT_INSTALLABLE:
        pytest.skip(f"Slurm cannot be installed here: {start.stderr.strip().splitlines()[-1]}")
    if start.returncode == 3:
        pytest.skip("a Slurm cluster not started by tests/system/slurm_local.sh runs here")
    assert start.returncode == 0, f"local Slurm cluster did not start:\n{start.stderr}"
    yield
    subprocess.run(["bash", str(CLUSTER), "stop"], capture_output=True, timeout=120)


def submit_and_wait(script: Path, timeout: float = 600) -> str:
    job = subprocess.run(
        ["sbatch", "--parsable", str(script)], capture_output=True, text=True, check=True
    ).stdout.strip()
    job = job.split(";")[0]
    end = time.monotonic() + timeout
    # no accounting on this cluster (no sacct): the job is over when squeue no longer lists it
    while subprocess.run(
        ["squeue", "-h", "-j", job], capture_output=True, text=True
    ).stdout.strip():
        assert time.monotonic() < end, f"job {job} still queued or running after {timeout} s"
        time.sleep(0.5)
    return job


def test_four_case_array_through_sbatch_then_collect(slurm_cluster, tmp_path, capsys):
    sweep_file = write_sweep(tmp_path, [4, 5, 6, 7])
    out = tmp_path / "array"
    args = ["--out", str(out), "--throttle", "2", "--time", "0:10:00"]
    assert main(["slurm", str(sweep_file), *args]) == 0
    printed = capsys.readouterr().out
    assert f"sbatch {out / 'sweep.sbatch'}" in printed and "4 of 4 cases" in printed
    job = submit_and_wait(out / "sweep.sbatch")
    # check the files, not the job state (a task a plugin killed still ends COMPLETED 0:0)
    assert sorted(p.name for p in (out / "logs").glob(f"slurm-{job}_*.out")) == [
        f"slurm-{job}_{i}.out" for i in range(4)
    ]
    assert main(["collect", str(out)]) == 0
    rows = collect(SweepDir(out)).to_pylist()
    assert [r["status"] for r in rows] == [COMPLETE] * 4, [r["error"] for r in rows]
    r_dc = [r["resistance_dc_ohm"] for r in rows]
    assert r_dc == sorted(r_dc)  # the contact shrinks as the pore radius grows
    # everything complete: nothing left to submit
    assert main(["slurm", str(sweep_file), *args]) == 0
    assert "nothing to submit" in capsys.readouterr().out

    # one of these cases again as a 2-rank MPI job: srun starts the ranks (PMI-2)
    (tmp_path / "mpi").mkdir()
    mpi_file = write_sweep(tmp_path / "mpi", [5])
    mpi_out = tmp_path / "mpi-out"
    assert main(["slurm", str(mpi_file), "--out", str(mpi_out), "--ntasks", "2"]) == 0
    submit_and_wait(mpi_out / "sweep.sbatch")
    (run,) = (mpi_out / "runs").iterdir()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["mpi_ranks"] == 2
    serial = json.loads((out / "runs" / run.name / "summary.json").read_text())
    assert summary["resistance_dc_ohm"] == pytest.approx(serial["resistance_dc_ohm"], rel=1e-8)
