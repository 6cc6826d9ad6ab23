"""The public Python API: configs, runs, sweeps and their results (what the CLI calls too).

Import it as ``import eisfem``: the names below are re-exported at the package top.
"""

from eisfem.api.fitting import fit
from eisfem.api.result import Result
from eisfem.api.runs import load_config, open_run, run, sweep

__all__ = ["Result", "fit", "load_config", "open_run", "run", "sweep"]
