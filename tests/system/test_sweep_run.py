"""Real sweeps of tiny cases: a failed case is recorded and the sweep goes on; a sweep killed
with SIGKILL mid-case resumes with no case lost, none counted twice, and no half-written
folder that looks complete."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.csv as pa_csv
import pytest
import yaml

from eisfem.batch import runner as batch
from eisfem.batch.aggregate import collect
from eisfem.batch.sweep import load_sweep
from eisfem.batch.sweepdir import COMPLETE, FAILED, SweepDir
from eisfem.cli.main import main
from eisfem.simulation.rundir import MARKER

# A 20 µm patch with one pore, P1, 13 frequencies: about 2-3 s per case, mostly start-up.
TINY = {
    "name": "tiny",
    "cell": {"shape": "patch", "side": "20 um", "thickness": "10 um"},
    "interface": {"kind": "pores", "radius": "6 um", "height": "1 um", "spacing": "20 um"},
    "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    "solver": {"degree": 1},
    "frequencies": {"max": "10 GHz", "min": "1 MHz", "points_per_decade": 3},
    "output": {"fields_at_apex": False},
}


def write_sweep(folder: Path, radii_um: list[float]) -> Path:
    path = folder / "tiny-sweep.yaml"
    grid = {"interface.radius": [f"{r} um" for r in radii_um]}
    path.write_text(yaml.safe_dump({"base": TINY, "sweep": {"grid": grid}}))
    return path


def marker_stamp(run: Path) -> tuple[int, int]:
    st = (run / MARKER).stat()
    return st.st_ino, st.st_mtime_ns


def test_failed_case_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    sweep = load_sweep(write_sweep(tmp_path, [4, 5, 6]))
    folder = SweepDir(tmp_path / "out")
    bad = sweep.cases[1].id
    real_command = batch.case_command

    def command(folder: SweepDir, case_id: str) -> list[str]:
        if case_id == bad:  # this case's process fails as a run with a bad input would
            code = "import sys; print('eisfem: error: injected failure'); sys.exit(2)"
            return [sys.executable, "-c", code]
        return real_command(folder, case_id)

    monkeypatch.setattr(batch, "case_command", command)
    outcomes = batch.run_sweep(sweep, folder, workers=2)
    assert sorted(o.status for o in outcomes) == [COMPLETE, COMPLETE, FAILED]
    assert next(o for o in outcomes if o.case.id == bad).error == "injected failure"
    rows = collect(folder).to_pylist()
    assert [r["status"] for r in rows] == [COMPLETE, FAILED, COMPLETE]
    assert rows[1]["error"] == "injected failure" and rows[1]["resistance_dc_ohm"] is None
    assert rows[0]["resistance_dc_ohm"] > 0 and rows[0]["geometry.pore_count"] == 1
    stamps = {c.id: marker_stamp(folder.run(c.id)) for c in sweep.cases if c.id != bad}

    monkeypatch.setattr(batch, "case_command", real_command)
    assert main(["sweep", str(sweep.source), "--out", str(folder.root), "--quiet"]) == 0
    assert {c.id: marker_stamp(folder.run(c.id)) for c in sweep.cases if c.id != bad} == stamps
    rows = collect(folder).to_pylist()
    assert [r["status"] for r in rows] == [COMPLETE] * 3 and rows[1]["error"] is None
    # the contact shrinks as the pore grows: the DC resistance rises with the radius
    r_dc = [r["resistance_dc_ohm"] for r in rows]
    assert r_dc[0] < r_dc[1] < r_dc[2]


def case_processes(marker: str) -> list[int]:
    """PIDs whose command line mentions ``marker`` (our temporary folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline:
                pids.append(int(entry.name))
    return pids


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.skipif(sys.platform != "linux", reason="children die with the runner on Linux")
def test_sigkill_mid_case_then_resume(tmp_path):
    sweep_file = write_sweep(tmp_path, [4, 5, 6, 7])
    out = tmp_path / "out"
    runs = out / "runs"
    command = [sys.executable, "-m", "eisfem", "sweep", str(sweep_file), "--out", str(out)]
    command += ["--workers", "1", "--quiet"]
    runner = subprocess.Popen(command, start_new_session=True)
    try:

        def one_done_and_one_half_written() -> bool:
            done = list(runs.glob(f"*/{MARKER}")) if runs.is_dir() else []
            # a case mid-run (its mesh written), not one caught in the microseconds between
            # creating its folder and marking it: such an unmarked folder is left alone
            partial = list(runs.glob(".*.partial-*/mesh.msh")) if runs.is_dir() else []
            return len(done) >= 1 and len(partial) >= 1

        wait_for(one_done_and_one_half_written, 180, "a complete case and one being written")
        os.kill(runner.pid, signal.SIGKILL)  # the runner dies like a node that loses power
        runner.wait()
        # its case process dies with it (nothing goes on writing into the folder)
        wait_for(lambda: not case_processes(str(out)), 10, "the case process to die")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(runner.pid, signal.SIGKILL)

    visible = [p for p in runs.iterdir() if not p.name.startswith(".")]
    hidden = [p for p in runs.iterdir() if p.name.startswith(".")]
    assert hidden, "the kill should have caught a case while it was writing"
    for run in visible:  # whatever looks complete is complete
        assert (run / MARKER).is_file() and (run / "summary.json").is_file()
    stamps = {run.name: marker_stamp(run) for run in visible}
    killed = SweepDir(out)
    assert 1 <= len(stamps) < 4
    assert sum(r["status"] == COMPLETE for r in collect(killed).to_pylist()) == len(stamps)

    assert subprocess.run(command, timeout=600).returncode == 0
    assert {name: marker_stamp(runs / name) for name in stamps} == stamps  # not run twice
    assert not [p for p in runs.iterdir() if p.name.startswith(".")]  # leftovers removed
    table = pa_csv.read_csv(out / "results.csv")
    ids = [c.id for c in load_sweep(sweep_file).cases]
    assert table.column("case").to_pylist() == ids  # every case once, in order
    assert table.column("status").to_pylist() == [COMPLETE] * 4
    assert sorted(p.name for p in runs.iterdir()) == sorted(ids)


def test_array_script_runs_its_tasks_without_slurm(tmp_path, capsys):
    """The sbatch script is plain bash: each task with SLURM_ARRAY_TASK_ID runs its case."""
    sweep_file = write_sweep(tmp_path, [4, 5])
    out = tmp_path / "out"
    assert main(["slurm", str(sweep_file), "--out", str(out)]) == 0
    script = out / "sweep.sbatch"
    for task in ("1", "0", "1"):  # the repeated task finds its case complete and exits
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=task)
        done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "is already complete" in done.stdout
    assert main(["collect", str(out)]) == 0
    assert "2 cases: 2 complete" in capsys.readouterr().out
