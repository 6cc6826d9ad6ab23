"""Configs, runs and sweeps from Python: the functions the CLI calls too.

``eisfem run`` is :func:`load_config` + :func:`run`; ``eisfem sweep`` is :func:`sweep`. A run
is returned as a :class:`~eisfem.api.result.Result` read back from the folder it wrote, so what a
notebook inspects is exactly what the run folder holds, whichever way the run was made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eisfem.api import notebook
from eisfem.api.result import Result
from eisfem.config import RunConfig
from eisfem.config import load_config as _load
from eisfem.core.owned import OwnershipError, check_target
from eisfem.simulation.rundir import KIND
from eisfem.simulation.size_guard import available_memory, check_fits, describe, estimate

if TYPE_CHECKING:
    import pandas
    from mpi4py import MPI

RUNS = Path("runs")

ConfigSource = RunConfig | str | Path | Mapping[str, Any]


def load_config(
    source: ConfigSource,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    /,
    **fields: Any,
) -> RunConfig:
    """A validated run config from a YAML file, a mapping of sections or another config.

    Changes go in as keywords, ``__`` standing for the dot between section and field, or as a
    mapping of dotted keys; values are what the YAML file would hold, units included::

        cfg = eisfem.load_config("configs/demo.yaml", interface__radius="40 um")
        cfg = eisfem.load_config(cfg, {"solver.degree": 1})

    ``overrides`` may also be the CLI's ``["dotted.key=value", ...]`` texts. A bad value raises
    :class:`~eisfem.core.errors.ConfigError` with the one-line message the CLI prints.
    """
    notebook.install()
    texts: list[str] = []
    values: dict[str, Any] = {}
    if isinstance(overrides, Mapping):
        values |= overrides
    elif overrides is not None:
        texts = [overrides] if isinstance(overrides, str) else list(overrides)
    values |= {key.replace("__", "."): value for key, value in fields.items()}
    if isinstance(source, RunConfig):
        source = source.resolved_dict()
    return _load(source, texts, values)


def default_folder(source: ConfigSource, cfg: RunConfig) -> Path:
    """``runs/<config file name>`` for a file (as the CLI), else ``runs/<config name>``.

    A file name that gives no folder name (``.yaml``, ``...yaml``: ``runs/..`` would be the
    working directory) is refused.
    """
    name = Path(source).stem if isinstance(source, str | Path) else cfg.name
    if name.strip(".") == "":
        raise OwnershipError(f"{source}: no folder name in this file name; give --out")
    return RUNS / name


def run(
    config: ConfigSource,
    out: str | Path | None = None,
    *,
    quiet: bool = False,
    comm: MPI.Comm | None = None,
    keep: Sequence[str | Path] = (),
    size_check: bool = True,
) -> Result:
    """Run ``config`` (a config, a YAML file or a mapping) and return its result.

    The run folder ``out`` (default ``runs/<name>``) is written whole or not at all and replaces
    an earlier eisfem run folder there; anything else at ``out`` (a folder eisfem did not make,
    a file, the working directory, a folder holding the config or a file in ``keep``) is
    refused. With ``size_check``, a run whose estimated memory exceeds the memory available is
    refused (:class:`~eisfem.simulation.size_guard.TooLargeError`) before it starts.

    Progress shows as stage lines (and a live bar on a terminal, or in
    Jupyter with ipywidgets installed); ``quiet`` keeps it silent. DOLFINx compiles each form
    once per machine and reuses its cache, so re-running a cell only solves again.
    """
    from mpi4py import MPI

    from eisfem.simulation.console import RunConsole
    from eisfem.simulation.pipeline import run as run_pipeline  # DOLFINx: import when needed

    notebook.install()
    cfg = config if isinstance(config, RunConfig) else load_config(config)
    folder = Path(out) if out is not None else default_folder(config, cfg)
    keep = [Path(k) for k in keep] + ([Path(config)] if isinstance(config, str | Path) else [])
    check_target(folder, KIND, keep)  # refuse in a second, before any work
    comm = comm or MPI.COMM_WORLD
    console = RunConsole(quiet=quiet, comm=comm)
    if size_check:
        est = comm.bcast(estimate(cfg) if comm.rank == 0 else None, root=0)
        console.info(describe(est))
        check_fits(est, comm.bcast(available_memory() if comm.rank == 0 else None, root=0))
    run_pipeline(cfg, folder, console, comm, keep)
    return Result(folder)


def open_run(folder: str | Path) -> Result:
    """The result of a complete run folder (made by :func:`run`, ``eisfem run`` or a sweep)."""
    notebook.install()
    return Result(folder)


def sweep(
    sweep_file: str | Path,
    out: str | Path | None = None,
    *,
    workers: int = 1,
    quiet: bool = False,
) -> pandas.DataFrame:
    """Run every case of a sweep file (resuming a stopped sweep) and return its table.

    Each case runs as its own ``eisfem run`` process, ``workers`` at a time, into
    ``out`` (default ``runs/<sweep file name>``); the table has one row per case: its status,
    the swept values and every scalar of its summary.json (columns as in results.csv). Open a
    case with ``open_run(<out>/runs/<case>)``.
    """
    from rich.console import Console as RichConsole

    from eisfem.batch.aggregate import collect
    from eisfem.batch.runner import run_sweep
    from eisfem.batch.sweep import load_sweep
    from eisfem.batch.sweepdir import SweepDir

    notebook.install()
    spec = load_sweep(sweep_file)
    folder = SweepDir(Path(out) if out is not None else RUNS / Path(sweep_file).stem)
    run_sweep(spec, folder, workers, None if quiet else RichConsole(stderr=True, highlight=False))
    return collect(folder).to_pandas()
