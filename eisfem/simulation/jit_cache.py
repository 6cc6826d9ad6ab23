"""Keep a killed run's half-done JIT compilation from blocking every later run.

FFCx (the form compiler DOLFINx calls) locks a form's compilation by creating ``NAME.c`` in
the JIT cache with exclusive-create and marks it done with ``NAME.c.cached``; a process that
finds ``NAME.c`` without ``NAME.c.cached`` waits ``timeout`` seconds (DOLFINx's JIT option,
10 s by default) and then fails with a TimeoutError. A process killed mid-compilation leaves
exactly that state behind, so every later run failed until the user found and deleted the file.

Every eisfem process that may compile holds a shared ``flock`` on ``.eisfem-jit.lock`` in the
cache for its lifetime (the kernel drops it when the process dies, however it dies). Before its
first compilation, a run tries to take that lock exclusively: if it can, no other eisfem
process is alive with this cache, and a ``NAME.c`` without ``NAME.c.cached`` that has not
changed for ``timeout`` seconds (FFCx's own waiters have given up on it by then) is a dead
process's lock. It is renamed to ``NAME.c.failed`` — what FFCx itself does when a compilation
fails — and the form is compiled afresh. A lock younger than that is waited for, so a
compilation by some other (non-eisfem) program still finishes undisturbed.

Not covered: while another eisfem process uses the same cache (a sweep with several workers),
the check is skipped; a run that then meets a dead lock fails with one line naming the file.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

LOCK = ".eisfem-jit.lock"
_held: dict[Path, IO[str]] = {}  # cache folder -> the open lock file (closed at exit)


def _unfinished(cache: Path) -> list[Path]:
    """``NAME.c`` files without their ``NAME.c.cached``: compilations not (yet) finished."""
    return [c for c in cache.glob("*.c") if not c.with_suffix(".c.cached").exists()]


def release_stale_locks(cache: Path, timeout: float) -> list[Path]:
    """Free the compilation locks dead eisfem processes left in ``cache``; hold the shared lock.

    Returns the freed ``NAME.c`` files (each renamed to ``NAME.c.failed``). Called once per
    process before its first compilation; later calls return at once.
    """
    cache = cache.resolve()
    if cache in _held:
        return []
    cache.mkdir(parents=True, exist_ok=True)
    fh = open(cache / LOCK, "a")  # noqa: SIM115 (held open for the life of the process)
    freed: list[Path] = []
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another eisfem process works with this cache: its locks may be live
    else:
        while True:
            wait = 0.0
            for c in _unfinished(cache):
                try:
                    age = time.time() - c.stat().st_mtime
                    if age >= timeout:
                        os.replace(c, c.with_suffix(".c.failed"))
                        freed.append(c)
                    else:
                        wait = max(wait, timeout - age)
                except FileNotFoundError:
                    continue  # finished or freed meanwhile
            if not wait:
                break
            time.sleep(wait + 0.1)
    fcntl.flock(fh, fcntl.LOCK_SH)
    _held[cache] = fh
    return freed


def guard_jit_cache() -> list[Path]:
    """:func:`release_stale_locks` on the cache and timeout DOLFINx's JIT will use."""
    from dolfinx.jit import get_options

    options = get_options()
    return release_stale_locks(Path(options["cache_dir"]), float(options["timeout"]))
