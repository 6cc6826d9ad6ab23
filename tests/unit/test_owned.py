"""eisfem never removes or renames what it did not write (every case of the data-loss report).

The refusals are checked through the CLI (one line, exit 2, the user's files untouched) and
through the run-folder machinery itself; no case here meshes or solves.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from eisfem.cli.main import main
from eisfem.core import interrupt, owned
from eisfem.simulation.rundir import MARKER, atomic_run_dir

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo.yaml"


def refused(argv: list[str], capsys) -> str:
    """Run the CLI; it must refuse with one line and status 2. Returns the line."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("eisfem: error:"), err
    return err[0]


def test_existing_user_folder_is_refused_and_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "thesis.txt").write_text("x")
    line = refused(["run", str(DEMO), "--out", "u"], capsys)
    assert "not made by eisfem" in line
    assert (tmp_path / "u" / "thesis.txt").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u"]  # no partial folder either


@pytest.mark.parametrize("out", [".", "..", "sub/.."])
def test_working_directory_and_its_parents_are_refused(tmp_path, monkeypatch, capsys, out):
    (tmp_path / "cwd" / "sub").mkdir(parents=True)
    (tmp_path / "cwd" / "keep.txt").write_text("x")
    monkeypatch.chdir(tmp_path / "cwd")
    assert "working directory" in refused(["run", str(DEMO), "--out", out], capsys)
    assert (tmp_path / "cwd" / "keep.txt").exists()


def test_config_named_dots_does_not_wipe_the_working_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(DEMO, tmp_path / "...yaml")  # its stem is "..": runs/.. is the cwd
    (tmp_path / "keep.txt").write_text("x")
    assert "give --out" in refused(["run", "...yaml"], capsys)
    assert (tmp_path / "keep.txt").exists()


def test_folder_holding_the_config_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg").mkdir()
    shutil.copy(DEMO, tmp_path / "cfg" / "demo.yaml")
    owned.stamp(tmp_path / "cfg", "run")  # even a marked folder may not swallow the config
    assert "holds" in refused(["run", "cfg/demo.yaml", "--out", "cfg"], capsys)
    assert (tmp_path / "cfg" / "demo.yaml").exists()


def test_existing_file_is_neither_replaced_nor_renamed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("x")
    assert "is an existing file" in refused(["run", str(DEMO), "--out", "f"], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]
    # a path below a file: one line, not NotADirectoryError
    (tmp_path / "some.yaml").write_text("x")
    assert "is a file" in refused(["run", str(DEMO), "--out", "some.yaml/sub"], capsys)


def test_unwritable_place_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = refused(["run", str(DEMO), "--out", "/proc/foo", "--no-size-check"], capsys)
    assert "/proc/foo" in line


def test_other_kind_of_eisfem_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    owned.stamp(tmp_path / "s", "sweep")
    assert "sweep folder" in refused(["run", str(DEMO), "--out", "s"], capsys)


def test_marked_run_folder_is_replaced_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    final = tmp_path / "r"
    with atomic_run_dir(final) as tmp:
        (tmp / "a.txt").write_text("first")
    assert (final / MARKER).is_file() and owned.read_stamp(final).kind == "run"
    with atomic_run_dir(final) as tmp:
        (tmp / "b.txt").write_text("second")
    assert sorted(p.name for p in final.iterdir()) == sorted([MARKER, owned.MARK, "b.txt"])
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # nothing hidden left over


def test_failed_run_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError), atomic_run_dir(tmp_path / "r") as tmp:
        (tmp / "a.txt").write_text("x")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


class _SwallowsCtrlC:
    """An object whose finalizer is running when Ctrl-C comes: Python prints the
    KeyboardInterrupt as "ignored" and goes on (PETSc and DOLFINx objects die this way)."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_swallowed_by_a_finalizer_does_not_publish_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(interrupt, "_received", False)
    previous = signal.getsignal(signal.SIGINT)
    try:
        interrupt.install()  # as the command line does
        with pytest.raises(KeyboardInterrupt), atomic_run_dir(tmp_path / "r") as tmp:
            (tmp / "a.txt").write_text("x")
            _SwallowsCtrlC()  # collected at once: the interrupt is lost in __del__
            (tmp / "b.txt").write_text("the run goes on")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert list(tmp_path.iterdir()) == []  # neither a run folder nor a partial one


def test_folders_and_files_follow_the_umask(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)
    try:
        with atomic_run_dir(tmp_path / "r") as tmp:
            (tmp / "a.txt").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "r" / MARKER).stat().st_mode & 0o777 == 0o644


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_partial_folders_of_dead_processes_are_cleaned(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dead = owned.new_partial(tmp_path / "a", "run")
    stamp = json.loads((dead / owned.MARK).read_text())
    (dead / owned.MARK).write_text(json.dumps(stamp | {"pid": _dead_pid()}))
    live = owned.new_partial(tmp_path / "b", "run")  # this process: alive
    foreign = owned.new_partial(tmp_path / "c", "run")
    (foreign / owned.MARK).write_text(json.dumps(stamp | {"host": "elsewhere"}))
    user = tmp_path / ".d.partial-mine"  # the user's, by the look of its name only
    user.mkdir()
    assert owned.clean_stale(tmp_path) == [foreign]
    assert not dead.exists() and live.exists() and foreign.exists() and user.exists()


def test_sweep_folder_is_claimed_grows_but_never_shrinks(tmp_path, monkeypatch):
    from eisfem.batch.sweep import expand
    from eisfem.batch.sweepdir import SweepDir
    from tests.helpers import DEMO

    monkeypatch.chdir(tmp_path)
    base = str(DEMO)

    def sweep(radii, field="interface.radius"):
        return expand({"base": base, "sweep": {"grid": {field: radii}}}, tmp_path / "s.yaml")

    folder = SweepDir(tmp_path / "out")
    folder.prepare(sweep(["20 um", "30 um"]))
    assert owned.read_stamp(folder.root).kind == "sweep"
    folder.prepare(sweep(["20 um", "30 um", "35 um"]))  # more cases: resumes and grows
    manifest = folder.manifest.read_text()
    with pytest.raises(owned.OwnershipError, match="another sweep"):
        folder.prepare(sweep(["20 um"]))  # would drop cases
    with pytest.raises(owned.OwnershipError, match="another sweep"):
        folder.prepare(sweep(["5 nm"], "interface.height"))
    assert folder.manifest.read_text() == manifest
    (tmp_path / "mine").mkdir()
    with pytest.raises(owned.OwnershipError, match="not made by eisfem"):
        SweepDir(tmp_path / "mine").prepare(sweep(["20 um"]))
    assert list((tmp_path / "mine").iterdir()) == []
