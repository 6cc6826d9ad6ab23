"""Which folders eisfem may create, replace or write into: only those it marked as its own.

Every folder eisfem makes for a run, a sweep, a fit or a comparison carries a small JSON marker,
``.eisfem-run`` (the kind of folder, the eisfem version, the host and process that made it and
when). eisfem replaces or resumes a folder only if it carries the marker of the same kind;
anything else — an existing folder without the marker, a file, the working directory or one of
its parents, a folder holding the config being run — is refused with one line saying what to do.
Nothing here removes or renames a thing that lacks the marker.

Folders are built under a hidden name (``.NAME.partial-XXXX``) that carries the marker from its
first moment (but for the one write of a text prepared before the folder exists: a kill inside
those microseconds leaves an empty unmarked folder, which is then left alone), so the leftovers
of a killed run can be told apart from anything a user keeps there: :func:`clean_stale` removes
those whose process is gone and leaves the ones it cannot judge (made on another host).
New folders and files follow the user's umask.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from eisfem.core.errors import EisfemError
from eisfem.core.version import eisfem_version

MARK = ".eisfem-run"


class OwnershipError(EisfemError):
    """A path eisfem will not replace or write into; the message says what to do instead."""


@dataclass(frozen=True)
class Stamp:
    """The content of a marker file."""

    kind: str  # run, sweep, fit, compare
    version: str
    host: str
    pid: int
    created: str


def umask() -> int:
    """The process umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: Path) -> None:
    """Give a file or folder made by ``mkstemp``/``mkdtemp`` (mode 0o600/0o700) the mode the
    user's umask asks for, as ``open``/``mkdir`` would have."""
    base = 0o777 if path.is_dir() else 0o666
    path.chmod(base & ~umask())


def _marker_text(kind: str) -> str:
    """The marker of a ``kind`` folder made by this process now (reading the version and the
    host takes about a millisecond: :func:`new_partial` does it before its folder exists)."""
    s = Stamp(kind, eisfem_version(), socket.gethostname(), os.getpid(), time.strftime("%FT%T%z"))
    return json.dumps(asdict(s)) + "\n"


def stamp(folder: Path, kind: str) -> None:
    """Mark ``folder``, which eisfem has just created, as its own ``kind`` folder."""
    (folder / MARK).write_text(_marker_text(kind))


def read_stamp(folder: Path) -> Stamp | None:
    """The marker of ``folder``; None if it has none or an unreadable one."""
    try:
        return Stamp(**json.loads((folder / MARK).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(
    out: Path,
    kind: str,
    keep: Iterable[Path] = (),
    option: str = "--out",
    also: tuple[str, ...] = (),
) -> Path:
    """``out`` resolved, if eisfem may create it, or replace or resume it as a ``kind`` folder.

    ``keep`` are files the command reads (its config): a folder holding one is refused.
    ``also`` are further kinds of eisfem folder that may be written into (a comparison goes
    into a fit folder).
    Raises OwnershipError naming ``option`` and what to do otherwise.
    """
    target = out.expanduser().resolve()
    cwd = Path.cwd().resolve()
    if _inside(cwd, target):
        where = "the working directory" if target == cwd else "a parent of the working directory"
        raise OwnershipError(f"{option} {out} is {where}; give a new folder, e.g. runs/NAME")
    for path in keep:
        if _inside(path.expanduser().resolve(), target):
            raise OwnershipError(f"{option} {out} holds {path}; give a folder of its own")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OwnershipError(f"{option} {out}: {parent} is a file, not a folder")
            break
    if target.exists() and not target.is_dir():
        raise OwnershipError(f"{option} {out} is an existing file; give a folder name")
    if target.exists():
        found = read_stamp(target)
        if found is None:
            raise OwnershipError(
                f"{option} {out} exists and was not made by eisfem (no {MARK} marker); "
                "give another folder, or move this one away yourself"
            )
        if found.kind != kind and found.kind not in also:
            raise OwnershipError(
                f"{option} {out} is an eisfem {found.kind} folder, not a {kind} folder; "
                "give another folder"
            )
    return target


def new_partial(final: Path, kind: str, option: str = "--out") -> Path:
    """A new hidden, marked sibling of ``final`` to build it in (``final`` already checked)."""
    marker = _marker_text(kind)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
        (tmp / MARK).write_text(marker)
        follow_umask(tmp)
    except OSError as exc:
        raise OwnershipError(f"{option} {final}: cannot create it ({exc.strerror})") from None
    return tmp


def replace(final: Path, built: Path, kind: str) -> None:
    """Rename the finished ``built`` to ``final``, replacing an earlier marked ``final``.

    The earlier folder is renamed aside first and deleted after, so at every moment ``final``
    is either the old complete folder, absent, or the new complete one.
    """
    old = None
    if final.exists():
        check_target(final, kind)  # still ours? (a user may have put something there meanwhile)
        old = final.parent / f".{final.name}.old-{time.time_ns()}"
        final.rename(old)
    built.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(s: Stamp) -> bool | None:
    """Whether the process that wrote a marker still runs; None if it ran on another host."""
    if s.host != socket.gethostname():
        return None
    try:
        os.kill(s.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def clean_stale(parent: Path) -> list[Path]:
    """Remove the hidden folders killed eisfem processes left in ``parent``.

    A ``.NAME.partial-*`` folder goes if its marker says it was made on this host by a process
    that is gone; a ``.NAME.old-*`` folder (a replaced folder caught mid-swap) goes if it
    carries the marker. Unmarked folders are never touched. Returns the marked partial folders
    left in place because they were made on another host (their process may still be writing).
    """
    foreign = []
    for hidden in sorted(parent.glob(".*.partial-*")) + sorted(parent.glob(".*.old-*")):
        s = read_stamp(hidden) if hidden.is_dir() and not hidden.is_symlink() else None
        if s is None:
            continue
        alive = _alive(s) if ".partial-" in hidden.name else False
        if alive is None:
            foreign.append(hidden)
        elif not alive:
            shutil.rmtree(hidden, ignore_errors=True)
    return foreign
