"""Real-valued fields of one solution, ready for ParaView: potential parts and current density.

ParaView cannot colour by a complex number, so every output is a float64 Function: Re, Im and
|φ| at the mesh nodes (Lagrange of the geometry's degree: XDMF stores a nodal field on the
nodes of the mesh, which are second-order on curved meshes; solutions of another degree are
interpolated), and the total current density j = −κ(ω)∇φ (conduction + displacement) as
cell averages: |j| and the real and imaginary vectors. At ω = 0 κ is the conductivity alone,
so pores carry no current.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem

from eisfem.solvers.system import ImpedanceSystem, Solution


class FieldSpaces:
    """Output spaces on one mesh, created once and reused for every frequency."""

    def __init__(self, system: ImpedanceSystem):
        mesh = system.bundle.mesh
        self.system = system
        self.nodal = fem.functionspace(mesh, ("Lagrange", mesh.geometry.cmaps[0].degree))
        self.DG0 = fem.functionspace(mesh, ("DG", 0))
        self.DG0v = fem.functionspace(mesh, ("DG", 0, (3,)))
        self.kappa = fem.Function(self.DG0)  # complex admittivity per cell
        self.phi = fem.Function(system.V)
        self.j = fem.Function(self.DG0v)
        self._j_expr = fem.Expression(
            -self.kappa * ufl.grad(self.phi), self.DG0v.element.interpolation_points
        )
        tags = system.bundle.cell_tags
        self._volumes = [t for t in system.terms if t.kind == "volume"]
        self._cells = [tags.find(system.bundle.groups[t.group]) for t in self._volumes]

    def _real(self, space: fem.FunctionSpace, name: str, values: np.ndarray) -> fem.Function:
        f = fem.Function(space, dtype=np.float64, name=name)
        f.x.array[:] = values
        return f

    def current_density(self, solution: Solution) -> fem.Function:
        """j = −κ(ω)∇φ per cell (complex DG0 vector); also loads φ into ``self.phi``."""
        self.kappa.x.array[:] = 0.0
        for t, cells in zip(self._volumes, self._cells, strict=True):
            self.kappa.x.array[cells] = t.coefficient(solution.omega)
        self.kappa.x.scatter_forward()
        self.phi.x.array[:] = self.system.function(solution.phi).x.array
        self.j.interpolate(self._j_expr)
        return self.j

    def compute(self, solution: Solution) -> list[fem.Function]:
        """The output functions of ``solution`` (names are the ParaView array names)."""
        self.current_density(solution)
        nodal = fem.Function(self.nodal)
        nodal.interpolate(self.phi)
        p = nodal.x.array
        jv = self.j.x.array.reshape(-1, 3)
        return [
            self._real(self.nodal, "phi_re", p.real),
            self._real(self.nodal, "phi_im", p.imag),
            self._real(self.nodal, "phi_abs", np.abs(p)),
            self._real(self.DG0, "j_abs", np.sqrt((np.abs(jv) ** 2).sum(axis=1))),
            self._real(self.DG0v, "j_re", jv.real.ravel()),
            self._real(self.DG0v, "j_im", jv.imag.ravel()),
        ]
