"""Sweeps on a Slurm cluster: an sbatch job-array script with one array task per case.

``eisfem slurm`` prepares the sweep folder exactly as ``eisfem sweep`` does (case configs and
manifest, see :mod:`eisfem.batch.sweepdir`) and writes ``DIR/sweep.sbatch``. Array task *i*
runs case *i* with the same ``eisfem run`` a local sweep uses, under ``srun`` (MPI) when a case
has more than one task, and writes its output to ``DIR/logs/<id>.log``, so ``eisfem collect DIR``
builds the same table afterwards. Only cases that are not complete get an array index, and a task
whose case became complete meanwhile exits at once: resubmitting is resuming.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from eisfem.batch.sweep import Sweep
from eisfem.batch.sweepdir import SweepDir, write_atomic
from eisfem.config.loading import printable
from eisfem.core.errors import ConfigError
from eisfem.simulation.rundir import MARKER, is_complete

SCRIPT = "sweep.sbatch"


# What the values written into the script may look like. Everything lands in ``#SBATCH`` lines,
# which sbatch splits on blanks, or in the shell part: a newline, a quote or a blank in a value
# would let it become another directive or a command, so values are checked, not escaped.
NAME = re.compile(r"[A-Za-z0-9_.+-]+")  # a partition, account, QOS or MPI plugin name
NAMES = re.compile(rf"{NAME.pattern}(,{NAME.pattern})*")  # partitions may be a list
# Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S
TIME = re.compile(r"\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}")
SBATCH_ARG = re.compile(r"--?[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9_.,:%@+=/-]+)?")
SAFE_PATH = re.compile(r"[A-Za-z0-9_.,:%@+=/~-]+")


@dataclass(frozen=True)
class SlurmOptions:
    partition: str | None = None
    time: str | None = None  # Slurm's formats: "30", "2:00:00", "1-00:00:00"
    ntasks: int = 1  # MPI ranks per case
    throttle: int | None = None  # at most this many array tasks at once (%N)
    mpi: str = "pmi2"  # srun --mpi plugin for ntasks > 1 (the MPICH wheel speaks PMI)
    extra: list[str] = field(default_factory=list)  # further sbatch options, e.g. "--mem=8G"

    def __post_init__(self) -> None:
        checks = [
            ("--partition", self.partition, NAMES, "names of letters, digits, _ . + - and commas"),
            ("--time", self.time, TIME, "minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S"),
            ("--mpi", self.mpi, NAME, "a plugin name such as pmi2 or pmix"),
        ]
        checks += [
            ("--sbatch-arg", x, SBATCH_ARG, "one option such as --mem=8G, without blanks")
            for x in self.extra
        ]
        for option, value, pattern, allowed in checks:
            if value is not None and not pattern.fullmatch(value):
                raise ConfigError(f"{option} '{printable(value)}': expected {allowed}")


def array_ranges(indices: list[int]) -> str:
    """Compress sorted indices for ``--array``: [0, 1, 2, 5, 7, 8] -> "0-2,5,7-8"."""
    parts: list[str] = []
    start = prev = None
    for i in [*indices, None]:
        if prev is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = i
    return ",".join(parts)


def default_command() -> str:
    """How a task starts eisfem: this installation's interpreter (override with $EISFEM)."""
    return shlex.join([sys.executable, "-m", "eisfem"])


def script_text(sweep: Sweep, folder: SweepDir, indices: list[int], options: SlurmOptions) -> str:
    root = folder.root.resolve()
    if not SAFE_PATH.fullmatch(str(root)):
        raise ConfigError(
            f"{printable(str(root))}: Slurm's #SBATCH lines cannot hold this path (blanks, "
            "quotes or other special characters); give --out a plainer path"
        )
    array = array_ranges(indices) + (f"%{options.throttle}" if options.throttle else "")
    job = re.sub(r"[^A-Za-z0-9_.+-]", "_", sweep.source.stem)
    source = shlex.quote(printable(str(sweep.source.resolve())))
    directives = [
        f"--job-name=eisfem-{job}",
        f"--array={array}",
        f"--ntasks={options.ntasks}",
        f"--output={root}/logs/slurm-%A_%a.out",
    ]
    if options.time:
        directives.append(f"--time={options.time}")
    if options.partition:
        directives.append(f"--partition={options.partition}")
    directives += options.extra
    launch = f"srun --mpi={options.mpi} " if options.ntasks > 1 else ""
    ids = "\n".join(c.id for c in sweep.cases)
    script = root / SCRIPT
    return f"""#!/bin/bash
{chr(10).join(f"#SBATCH {d}" for d in directives)}
# Written by `eisfem slurm` from {source}.
# Array task i runs case i of {root}/sweep.json with `eisfem run`.
# Submit:      sbatch {script}
# Afterwards:  eisfem collect {root}
# $EISFEM is the command that runs eisfem; override it at submission, e.g.
#   sbatch --export=ALL,EISFEM="apptainer exec eisfem.sif eisfem" {script}
set -u
SWEEP={shlex.quote(str(root))}
CASES=(
{ids}
)
EISFEM=${{EISFEM:-{default_command()}}}
id=${{CASES[$SLURM_ARRAY_TASK_ID]}}
if [ -f "$SWEEP/runs/$id/{MARKER}" ]; then
  echo "case $id is already complete"
  exit 0
fi
# $EISFEM is split into words on purpose (it may be "apptainer exec IMAGE eisfem").
{launch}$EISFEM run "$SWEEP/cases/$id.yaml" --out "$SWEEP/runs/$id" --quiet \\
  >"$SWEEP/logs/$id.log" 2>&1
"""


def write_script(sweep: Sweep, folder: SweepDir, options: SlurmOptions) -> tuple[Path, list[int]]:
    """Prepare the folder and write the array script for the cases not yet complete.

    Returns the script path and the array indices; with nothing left to run, no script.
    """
    folder.prepare(sweep)
    indices = [c.index for c in sweep.cases if not is_complete(folder.run(c.id))]
    path = folder.root / SCRIPT
    if indices:
        write_atomic(path, script_text(sweep, folder, indices, options))
        path.chmod(0o755)
    return path, indices
