"""eisfem: finite-element impedance of metal|solid-electrolyte interfaces.

``dolfinx_solver`` must be imported before dolfinx or petsc4py (it orders MPI ahead of the
compiled bindings of the complex-PETSc wheel); importing it here makes every entry point safe.
"""

import dolfinx_solver  # noqa: F401

__version__ = "0.1.0"
