"""Command line for sweeps: ``eisfem sweep | collect | plot-sweep | slurm``.

Kept apart from :mod:`eisfem.cli` (which only registers these commands) so the run commands
and the batch commands can change independently. The handlers import their modules (pyarrow,
rich.progress, matplotlib) when called, so ``eisfem run`` — every case of a sweep — does not
pay for them.
"""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from eisfem.batch.sweep import load_sweep
from eisfem.batch.sweepdir import FAILED, SweepDir
from eisfem.core.errors import ConfigError


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def add_commands(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sweep", help="run every case of a sweep file here, resuming")
    s.add_argument("sweep", type=Path, help="sweep file (base config + sweep: block)")
    s.add_argument("--out", type=Path, help="sweep folder (default: runs/<sweep file name>)")
    s.add_argument("--workers", type=_positive, default=1, help="cases run at once (default 1)")
    s.add_argument("--dry-run", action="store_true", help="list the cases, run nothing")
    s.add_argument("--quiet", action="store_true", help="print nothing but errors")

    c = sub.add_parser("collect", help="(re)build a sweep's table: results.csv, .parquet")
    c.add_argument("dir", type=Path, help="sweep folder")

    p = sub.add_parser("plot-sweep", help="trend plot of a sweep's table")
    p.add_argument("dir", type=Path, help="sweep folder")
    p.add_argument("--x", required=True, help="column on the x axis, e.g. interface.radius")
    p.add_argument("--y", required=True, action="append", help="column(s) to plot (repeatable)")
    p.add_argument(
        "--group",
        help="one line per value of this column (default: the other swept field)",
    )
    p.add_argument("--out", type=Path, help="PNG file (default: DIR/trend-<y>.png)")

    b = sub.add_parser("slurm", help="write an sbatch job-array script for a sweep")
    b.add_argument("sweep", type=Path, help="sweep file")
    b.add_argument("--out", type=Path, help="sweep folder (default: runs/<sweep file name>)")
    b.add_argument("--partition", help="Slurm partition")
    b.add_argument("--time", help="time limit per case, e.g. 2:00:00")
    b.add_argument("--ntasks", type=_positive, default=1, help="MPI ranks per case (srun if > 1)")
    b.add_argument("--throttle", type=_positive, help="at most N array tasks at once (%%N)")
    b.add_argument("--mpi", default="pmi2", help="srun --mpi plugin when ntasks > 1")
    b.add_argument(
        "--sbatch-arg",
        dest="sbatch_args",
        action="append",
        default=[],
        metavar="OPTION",
        help="another #SBATCH option, e.g. --sbatch-arg=--mem=8G (repeatable)",
    )


def _folder(args: argparse.Namespace) -> SweepDir:
    if args.out is None and args.sweep.stem.strip(".") == "":
        raise ConfigError(f"{args.sweep}: no folder name in this file name; give --out")
    return SweepDir(args.out or Path("runs") / args.sweep.stem)


def _counts_line(folder: SweepDir) -> tuple[str, int]:
    from eisfem.batch.aggregate import TABLE, collect, status_counts

    counts = status_counts(collect(folder))
    text = ", ".join(f"{n} {status}" for status, n in counts.items())
    return f"{sum(counts.values())} cases: {text}; table: {folder.root / TABLE}.csv", counts.get(
        FAILED, 0
    )


def _sweep(args: argparse.Namespace) -> int:
    """``eisfem sweep``: the public API's sweep, with a dry run and a closing count."""
    from eisfem.api import sweep as run_sweep
    from eisfem.simulation.rundir import is_complete

    sweep = load_sweep(args.sweep)
    folder = _folder(args)
    console = Console(stderr=True, highlight=False)
    if args.dry_run:
        for case in sweep.cases:
            print(f"{case.index:5d} {case.id}  {case.label()}")
        print(f"{len(sweep.cases)} cases -> {folder.root}")
        return 0
    skipped = sum(is_complete(folder.run(case.id)) for case in sweep.cases)
    try:
        run_sweep(args.sweep, folder.root, workers=args.workers, quiet=args.quiet)
    except KeyboardInterrupt:
        console.print("interrupted: run the same command again to resume")
        return 130
    line, failed = _counts_line(folder)
    if not args.quiet:
        console.print(f"{line}; {skipped} of them were complete before this run")
    return 1 if failed else 0


def _collect(args: argparse.Namespace) -> int:
    line, _ = _counts_line(SweepDir(args.dir))
    print(line)
    return 0


def _plot_sweep(args: argparse.Namespace) -> int:
    from eisfem.batch.aggregate import read_results
    from eisfem.postprocess.trends import default_group, trend_plot

    folder = SweepDir(args.dir)
    fields, entries = folder.read()
    table = read_results(folder)
    group = args.group or default_group(table, args.x, fields)
    labels = {
        e.values[group]: str(e.params[group])
        for e in entries
        if group in e.values and isinstance(e.values[group], int | float | str)
    }
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", args.y[0])
    path = plot_path(args.out) if args.out else folder.root / f"trend-{name}.png"
    trend_plot(table, args.x, args.y, path, group, labels, title=folder.root.name)
    print(path)
    return 0


PLOT_FORMATS = (".png", ".pdf", ".svg")


def plot_path(out: Path) -> Path:
    """``--out`` of plot-sweep: a .png/.pdf/.svg file; without a suffix, .png is added."""
    if out.suffix == "":
        return out.with_name(out.name + ".png")
    if out.suffix.lower() not in PLOT_FORMATS:
        raise ConfigError(f"--out {out}: the plot is written as {', '.join(PLOT_FORMATS)}")
    return out


def _slurm(args: argparse.Namespace) -> int:
    from eisfem.batch.slurm import SlurmOptions, write_script

    folder = _folder(args)
    options = SlurmOptions(
        args.partition, args.time, args.ntasks, args.throttle, args.mpi, args.sbatch_args
    )
    sweep = load_sweep(args.sweep)
    script, indices = write_script(sweep, folder, options)
    if not indices:
        print(f"all {len(sweep.cases)} cases are complete; nothing to submit")
        return 0
    print(f"wrote {script}: {len(indices)} of {len(sweep.cases)} cases to run")
    print(f"submit with:  sbatch {shlex.quote(str(script))}")
    print(f"afterwards:   eisfem collect {shlex.quote(str(folder.root))}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sweep": _sweep,
    "collect": _collect,
    "plot-sweep": _plot_sweep,
    "slurm": _slurm,
}
