"""eisfem: finite-element impedance of metal|solid-electrolyte interfaces.

The public API (documented in the README) is what ``__all__`` lists::

    import eisfem
    result = eisfem.run(eisfem.load_config("configs/demo.yaml", solver__degree=1))
    result.summary.fit.R_series_ohm_cm2, result.plot_nyquist()

Everything else is internal. The API is loaded on first use, so ``import eisfem`` (and with it
``eisfem validate`` and ``eisfem schema``) stays light. ``dolfinx_solver`` must be imported before
dolfinx or petsc4py (it orders MPI ahead of the compiled bindings of the complex-PETSc wheel);
importing it here makes every entry point safe.
"""

from importlib.metadata import version
from typing import Any

import dolfinx_solver  # noqa: F401

__version__ = version("eisfem")  # one home: pyproject.toml
__all__ = ["Result", "__version__", "fit", "load_config", "open_run", "run", "sweep"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        import eisfem.api

        return getattr(eisfem.api, name)
    raise AttributeError(f"module 'eisfem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
