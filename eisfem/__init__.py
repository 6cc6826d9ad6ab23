"""eisfem: finite-element impedance of metal|solid-electrolyte interfaces.

``dolfinx_solver`` must be imported before dolfinx or petsc4py (it orders MPI ahead of the
compiled bindings of the complex-PETSc wheel); importing it here makes every entry point safe.
"""

from importlib.metadata import version

import dolfinx_solver  # noqa: F401

__version__ = version("eisfem")  # one home: pyproject.toml
