"""A compilation lock left in the JIT cache by a killed process is freed; a live one is not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from eisfem.simulation import jit_cache


def orphan(cache, name: str, age: float):
    """``name.c`` without ``name.c.cached``, last written ``age`` seconds ago."""
    c = cache / f"{name}.c"
    c.write_text("/* half written */")
    os.utime(c, (time.time() - age, time.time() - age))
    return c


def test_dead_lock_is_freed_and_finished_modules_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(jit_cache, "_held", {})
    dead = orphan(tmp_path, "libffcx_forms_dead", age=60)
    done = orphan(tmp_path, "libffcx_forms_done", age=60)
    (tmp_path / "libffcx_forms_done.c.cached").write_text("")
    assert jit_cache.release_stale_locks(tmp_path, timeout=10) == [dead]
    assert not dead.exists() and (tmp_path / "libffcx_forms_dead.c.failed").exists()
    assert done.exists()


def test_young_lock_is_waited_for_then_freed(tmp_path, monkeypatch):
    monkeypatch.setattr(jit_cache, "_held", {})
    young = orphan(tmp_path, "libffcx_forms_young", age=0)
    t0 = time.perf_counter()
    assert jit_cache.release_stale_locks(tmp_path, timeout=1) == [young]
    assert time.perf_counter() - t0 >= 0.9  # waited for FFCx's own timeout to pass


def test_lock_is_left_while_another_eisfem_process_holds_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(jit_cache, "_held", {})
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            "from eisfem.simulation import jit_cache as j;"
            "j.release_stale_locks(Path(sys.argv[1]), 1e9); print('ready', flush=True);"
            "time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        c = orphan(tmp_path, "libffcx_forms_busy", age=60)
        assert jit_cache.release_stale_locks(tmp_path, timeout=10) == []
        assert c.exists()
    finally:
        holder.kill()
        holder.wait()
    for fh in jit_cache._held.values():
        fh.close()  # this process's own shared lock (as if it had ended too)
    monkeypatch.setattr(jit_cache, "_held", {})
    assert jit_cache.release_stale_locks(tmp_path, timeout=10) == [c]  # its holder died
