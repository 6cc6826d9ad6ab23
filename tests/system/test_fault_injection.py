"""Fault injection: SIGKILL ``eisfem run`` at random moments, then run it again.

20 kills at times drawn from a seeded generator over the measured duration of a whole run
(start-up, size estimate, meshing, JIT compilation, solves, fit, plots, the final rename); the
first 6 start with an empty JIT cache, so kills land in the first compilation too. After each
kill the same command runs again and must succeed. While a run is alive and after each kill,
the run folder must be absent or complete: never a folder that looks finished but is not.

Kept cheap with a tiny model (P1, coarse mesh, 8 frequencies, no images): one run is a few
seconds of work, most of it start-up. The test prints its kill table and its duration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from eisfem.core.owned import MARK
from eisfem.simulation.rundir import MARKER

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo.yaml"
BIN = Path(sys.executable).parent
TINY = [
    *("--set", "solver.degree=1", "--set", "mesh.refine=0.4"),
    *("--set", "frequencies.points_per_decade=1", "--set", "output.render=false"),
    *("--set", "output.fields_at_apex=false"),
    # the error estimate is one more solve stage like the sweep (no files written): leaving it
    # out keeps 40 runs inside the CI budget without removing a kind of stage that writes
    *("--set", "accuracy.estimate=false"),
    "--quiet",
]
KILLS = 20
FRESH_CACHE_KILLS = 6
SEED = 12


def command(out: Path) -> list[str]:
    return [str(BIN / "eisfem"), "run", str(DEMO), "--out", str(out), *TINY]


def looks_complete_and_is(folder: Path) -> bool | None:
    """None if ``folder`` is absent; else whether it is a whole, readable run folder. The folder
    is opened once and read through that handle: a replacement that renames the old folder
    aside and deletes it mid-check (absent for a moment, never incomplete) reads as None, not
    as a folder missing its files."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None

    def read(name: str) -> str:
        with os.fdopen(os.open(name, os.O_RDONLY, dir_fd=fd)) as f:
            return f.read()

    try:
        read(MARKER), read(MARK)  # both present
        summary = json.loads(read("summary.json"))
        table = np.loadtxt(read("impedance.csv").splitlines(), delimiter=",", skiprows=1)
        return summary["dofs"] > 0 and table.shape[0] > 1 and len(read("config.resolved.yaml")) > 0
    except FileNotFoundError:
        try:
            moved = os.stat(folder).st_ino != os.fstat(fd).st_ino
        except FileNotFoundError:
            moved = True
        return None if moved else False
    finally:
        os.close(fd)


def unfinished_jit(cache: Path) -> bool:
    return any(not c.with_suffix(".c.cached").exists() for c in cache.glob("fenics/*.c"))


def run_to_end(out: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(command(out), env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert looks_complete_and_is(out) is True
    return time.perf_counter() - t0


def test_random_kills_never_leave_a_false_complete_folder(tmp_path):
    t_start = time.perf_counter()
    out = tmp_path / "runs" / "tiny"
    warm = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "warm-cache")}
    fresh_duration = run_to_end(out, warm)  # compiles into the warm cache
    warm_duration = run_to_end(out, warm)
    rng = np.random.default_rng(SEED)
    rows = []
    while len(rows) < KILLS:  # a run that ended before its kill time is drawn again
        k = len(rows)
        if k < FRESH_CACHE_KILLS:
            cache = tmp_path / f"cache-{k}-{rng.integers(1 << 30)}"
            env, duration = {**os.environ, "XDG_CACHE_HOME": str(cache)}, fresh_duration
        else:
            cache, env, duration = tmp_path / "warm-cache", warm, warm_duration
        at = float(rng.uniform(0.02, 0.98) * duration)
        proc = subprocess.Popen(command(out), env=env, stderr=subprocess.DEVNULL)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < at and proc.poll() is None:
            assert looks_complete_and_is(out) is not False, f"kill {k}: a false complete folder"
            time.sleep(0.02)
        ended = proc.poll() is not None
        proc.kill()
        proc.wait()
        state = looks_complete_and_is(out)
        assert state is not False, f"kill {k} at {at:.1f} s left a false complete folder"
        if ended:
            continue
        partial = any(out.parent.glob(".tiny.partial-*"))
        jit = unfinished_jit(cache)
        rerun = run_to_end(out, env)
        leftovers = [p.name for p in out.parent.iterdir() if p.name != "tiny"]
        assert leftovers == [], f"kill {k}: the rerun left {leftovers}"
        rows.append((k, at, state, partial, jit, rerun))
    print(f"\nwhole run: {fresh_duration:.1f} s (empty JIT cache), {warm_duration:.1f} s (warm)")
    print(" kill  at (s)  folder    partial  JIT lock  rerun (s)")
    for k, at, state, partial, jit, rerun in rows:
        folder = {None: "absent", True: "complete"}[state]
        print(f" {k:4d} {at:7.1f}  {folder:9} {partial!s:8} {jit!s:9} {rerun:6.1f}")
    print(f"fault injection: {time.perf_counter() - t_start:.0f} s in total")
