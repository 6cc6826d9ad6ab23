"""The layout of a sweep folder, shared by the local runner, Slurm array tasks and collect.

    DIR/sweep.json              the cases: index, id, swept values as written and in SI
    DIR/cases/<id>.yaml         each case's resolved run config (what ``eisfem run`` reads)
    DIR/runs/<id>/              each case's run folder; done when it holds COMPLETE
    DIR/logs/<id>.log           output of the case's last attempt (a failure's error line)
    DIR/results.csv, .parquet   the table of all cases (``eisfem collect``)

A case's state is read from these files alone, never from a database or from the process
that ran it, so a local run, a Slurm job and a re-run after a crash all agree on what is done.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eisfem.batch.sweep import Sweep
from eisfem.core import owned
from eisfem.core.errors import ConfigError
from eisfem.simulation.rundir import is_complete

COMPLETE = "complete"
FAILED = "failed"
NOT_RUN = "not run"


@dataclass(frozen=True)
class CaseEntry:
    """One case as the manifest records it."""

    index: int
    id: str
    params: dict[str, Any]  # swept field -> value as written in the sweep file
    values: dict[str, Any]  # swept field -> resolved value (SI)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one rename (readers never see half a file)."""
    if path.is_file() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    owned.follow_umask(Path(tmp))
    os.replace(tmp, path)


def error_line(log: Path) -> str:
    """The error line of a failed attempt: eisfem's one-line error, else the last line."""
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("eisfem: error:"):
            return line.removeprefix("eisfem: error:").strip()
    return lines[-1] if lines else "no output (killed before it printed anything)"


@dataclass(frozen=True)
class SweepDir:
    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "sweep.json"

    def config(self, case_id: str) -> Path:
        return self.root / "cases" / f"{case_id}.yaml"

    def run(self, case_id: str) -> Path:
        return self.root / "runs" / case_id

    def log(self, case_id: str) -> Path:
        return self.root / "logs" / f"{case_id}.log"

    def prepare(self, sweep: Sweep) -> list[CaseEntry]:
        """Write every case's config and the manifest; leave runs and logs alone.

        The folder must be new or an eisfem sweep folder of the same sweep (the same swept
        fields, every case it already has still in this sweep: a sweep may grow, never shrink).
        """
        entries = self.claim(sweep)
        for case in sweep.cases:
            text = yaml.safe_dump(case.config.resolved_dict(), sort_keys=False)
            write_atomic(self.config(case.id), text)
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        (self.root / "runs").mkdir(parents=True, exist_ok=True)
        manifest = {
            "source": str(sweep.source.resolve()),
            "fields": sweep.fields,
            "cases": [e.__dict__ for e in entries],
        }
        write_atomic(self.manifest, json.dumps(manifest, indent=1, default=str) + "\n")
        return entries

    def claim(self, sweep: Sweep) -> list[CaseEntry]:
        """Create the marked folder, or check that the existing one may hold this sweep.

        Returns the sweep's cases as the manifest records them.
        """
        entries = [CaseEntry(c.index, c.id, c.params, c.values()) for c in sweep.cases]
        root = owned.check_target(self.root, "sweep", keep=[sweep.source])
        if not root.exists():
            owned.new_partial(root, "sweep").rename(root)  # appears already marked
            return entries
        if not self.manifest.exists():
            return entries
        fields, old = self.read()
        dropped = {e.id for e in old} - {e.id for e in entries}
        if fields != sweep.fields or dropped:
            what = f"swept fields {fields}" if fields != sweep.fields else f"{len(dropped)} cases"
            raise owned.OwnershipError(
                f"--out {self.root} holds another sweep ({what} not in {sweep.source.name}); "
                "give another folder"
            )
        return entries

    def read(self) -> tuple[list[str], list[CaseEntry]]:
        """The swept fields and the cases of the manifest."""
        try:
            data = json.loads(self.manifest.read_text())
        except FileNotFoundError:
            raise ConfigError(
                f"{self.root}: not a sweep folder (no sweep.json); "
                "`eisfem sweep` or `eisfem slurm` makes one"
            ) from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self.manifest}: unreadable ({exc})") from None
        return data["fields"], [CaseEntry(**c) for c in data["cases"]]

    def state(self, case_id: str) -> tuple[str, str]:
        """(status, error line) of a case: complete, failed (with its error) or not run."""
        if is_complete(self.run(case_id)):
            return COMPLETE, ""
        if self.log(case_id).exists():
            return FAILED, error_line(self.log(case_id))
        return NOT_RUN, ""
