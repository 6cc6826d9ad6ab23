"""The frequency-domain FEM system of the cell and its impedance Z(ω) = V / I.

Each volume group has a uniform admittivity κ_k(ω), so the discrete operator is affine in the
per-volume coefficients:  A(ω) = Σ_k κ_k(ω) K_k  with  K_k = ∫_{Ω_k} ∇u·∇v.  The K_k are
assembled once (into one common sparsity pattern, so the sum is a cheap same-pattern AXPY), the
metal surfaces are Dirichlet dofs (working electrode at V = 1, counter electrode at 0) that are
eliminated algebraically, and each frequency then costs one MUMPS numeric factorization that
reuses the symbolic analysis.

The current is the reaction of the working-electrode dofs, I = Σ_k κ_k wᵀ K_k φ with w the
indicator of those dofs (the consistent residual, which converges at the energy rate), not the
normal derivative on the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from eisfem.config import Material
from eisfem.errors import SolverError
from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.materials import admittivity, carries_current

SAME = PETSc.Mat.Structure.SAME_NONZERO_PATTERN


@dataclass
class Solution:
    """One solve: impedance and the full potential vector (Dirichlet values included)."""

    omega: float
    impedance: complex
    phi: PETSc.Vec


@dataclass
class _Term:
    group: str
    material: Material
    matrix: PETSc.Mat  # K_k on the full dof set
    free_block: PETSc.Mat | None = None  # K_k restricted to free dofs


class _Restricted:
    """A factorizable restriction of the system to a subset of the dofs (MUMPS LU)."""

    def __init__(self, dofs: PETSc.IS, terms: list[_Term], icntl: dict[int, int]):
        self.dofs = dofs
        self.blocks = [t.matrix.createSubMatrix(dofs, dofs) for t in terms]
        self.A = self.blocks[0].duplicate(copy=True)
        self.ksp = PETSc.KSP().create(dofs.comm)
        self.ksp.setOperators(self.A)
        self.ksp.setType("preonly")
        pc = self.ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        pc.setFactorSetUpSolverType()
        factor = pc.getFactorMatrix()
        for key, value in icntl.items():
            factor.setMumpsIcntl(key, value)

    def solve(self, coefficients: list[complex], rhs: PETSc.Vec) -> PETSc.Vec:
        self.A.zeroEntries()
        for c, block in zip(coefficients, self.blocks, strict=True):
            if c != 0:
                self.A.axpy(c, block, SAME)
        pc = self.ksp.getPC()
        try:
            self.ksp.setUp()
            failed = pc.getFailedReason()
        except PETSc.Error:
            failed = -1
        if failed:
            info = pc.getFactorMatrix().getMumpsInfog(1)
            raise SolverError(
                f"MUMPS factorization failed (INFOG(1) = {info}); "
                + (
                    "the system is singular: is every conducting region connected to an electrode?"
                    if info == -10
                    else "see the MUMPS manual, or reduce the mesh size"
                )
            )
        x = self.A.createVecRight()
        self.ksp.solve(rhs, x)
        return x

    def destroy(self) -> None:
        self.ksp.destroy()
        self.A.destroy()
        for b in self.blocks:
            b.destroy()


class ImpedanceSystem:
    """Z(ω) of a meshed cell with piecewise-uniform media and metal electrodes."""

    def __init__(
        self,
        bundle: MeshBundle,
        materials: dict[str, Material],
        degree: int = 1,
        mumps_icntl: dict[int, int] | None = None,
        voltage: float = 1.0,
    ):
        self.bundle = bundle
        self.voltage = voltage
        self.icntl = {14: 50} | (mumps_icntl or {})
        mesh = bundle.mesh
        self.comm: MPI.Comm = mesh.comm
        self.V = fem.functionspace(mesh, ("Lagrange", degree))
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
        stiffness = ufl.inner(ufl.grad(u), ufl.grad(v))

        # One sparsity pattern for all terms: assemble explicit zeros over every cell first.
        zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
        pattern_form = fem.form(zero * stiffness * dx)
        pattern = fem_petsc.create_matrix(pattern_form)
        fem_petsc.assemble_matrix(pattern, pattern_form)
        pattern.assemble()
        self.terms: list[_Term] = []
        for group, material in materials.items():
            tag = bundle.tag(group)
            if tag is None or not carries_current(material):
                continue
            K = pattern.duplicate(copy=True)
            fem_petsc.assemble_matrix(K, fem.form(stiffness * dx(tag)))
            K.assemble()
            self.terms.append(_Term(group, material, K))
        pattern.destroy()
        if not self.terms:
            raise SolverError("no volume carries current: check materials")

        self._setup_dirichlet()
        self._full = _Restricted(self.free, self.terms, self.icntl)
        self._dc: _Restricted | None = None
        self._dc_fill: _Restricted | None = None

    # --- boundary data ----------------------------------------------------------------------

    def _group_dofs(self, names: tuple[str, ...]) -> np.ndarray:
        ft = self.bundle.facet_tags
        facets = np.concatenate(
            [ft.find(self.bundle.groups[n]) for n in names if n in self.bundle.groups]
            or [np.empty(0, np.int32)]
        )
        dofs = fem.locate_dofs_topological(self.V, 2, facets)
        return dofs[dofs < self.V.dofmap.index_map.size_local]

    def _setup_dirichlet(self) -> None:
        imap = self.V.dofmap.index_map
        n, start = imap.size_local, imap.local_range[0]
        we = self._group_dofs(tags.WE_SURFACES)
        ce = self._group_dofs((tags.CE,))
        if self.comm.allreduce(we.size, MPI.SUM) == 0 or self.comm.allreduce(ce.size, MPI.SUM) == 0:
            raise SolverError("the mesh has no working- or counter-electrode surface")
        is_dirichlet = np.zeros(n, dtype=bool)
        is_dirichlet[we] = True
        is_dirichlet[ce] = True
        self.free_local = np.flatnonzero(~is_dirichlet)
        self.free = PETSc.IS().createGeneral(
            (self.free_local + start).astype(PETSc.IntType), comm=self.comm
        )
        K0 = self.terms[0].matrix
        self.g = K0.createVecRight()  # Dirichlet values
        self.g.set(0.0)
        self.g.array[we] = self.voltage
        self.w = K0.createVecRight()  # indicator of working-electrode dofs
        self.w.set(0.0)
        self.w.array[we] = 1.0
        # K_k g: lifting of the Dirichlet values, per term
        self.lift = [t.matrix * self.g for t in self.terms]

    @property
    def dofs(self) -> int:
        return self.V.dofmap.index_map.size_global

    def coefficients(self, omega: float) -> list[complex]:
        return [complex(admittivity(t.material, omega)) for t in self.terms]

    # --- solves -------------------------------------------------------------------------------

    def _rhs(self, coefficients: list[complex], dofs: PETSc.IS, base: PETSc.Vec) -> PETSc.Vec:
        """−Σ c_k K_k base restricted to ``dofs`` (base: the known part of the potential)."""
        full = base.duplicate()
        full.set(0.0)
        for c, t in zip(coefficients, self.terms, strict=True):
            if c != 0:
                full.axpy(-c, t.matrix * base)
        sub = full.getSubVector(dofs)
        rhs = sub.copy()
        full.restoreSubVector(dofs, sub)
        full.destroy()
        return rhs

    def _current(self, coefficients: list[complex], phi: PETSc.Vec) -> complex:
        total = 0j
        for c, t in zip(coefficients, self.terms, strict=True):
            if c != 0:
                total += c * self.w.tDot(t.matrix * phi)
        return complex(total)

    def solve(self, omega: float) -> Solution:
        """Solve at angular frequency ``omega`` > 0 (use :meth:`solve_dc` for ω = 0)."""
        if omega == 0:
            return self.solve_dc()
        coeffs = self.coefficients(omega)
        x = self._full.solve(coeffs, self._rhs(coeffs, self.free, self.g))
        phi = self.g.copy()
        phi.isaxpy(self.free, 1.0, x)
        current = self._current(coeffs, phi)
        return Solution(omega, self.voltage / current if current != 0 else complex(np.inf), phi)

    def solve_dc(self) -> Solution:
        """The ω → 0 limit: conduction in conducting media, then electrostatics in the rest.

        Dofs touched only by non-conducting cells (pore interiors) drop out of the conduction
        problem; their limit potential solves the dielectric problem with the conducting
        solution as boundary data, so the DC field is the true limit of the AC fields.
        """
        sigma = [t.material.conductivity for t in self.terms]
        eps = [t.material.permittivity for t in self.terms]
        if self._dc is None:
            conducting = self._diagonal_positive(sigma)
            free = np.zeros(self.V.dofmap.index_map.size_local, dtype=bool)
            free[self.free_local] = True
            start = self.V.dofmap.index_map.local_range[0]

            def make_is(mask: np.ndarray) -> PETSc.IS:
                idx = (np.flatnonzero(mask) + start).astype(PETSc.IntType)
                return PETSc.IS().createGeneral(idx, comm=self.comm)

            self._dc = _Restricted(make_is(free & conducting), self.terms, self.icntl)
            rest = free & ~conducting
            self._dc_fill = (
                _Restricted(make_is(rest), self.terms, self.icntl)
                if self.comm.allreduce(int(rest.sum()), MPI.SUM) > 0
                else None
            )
        phi = self.g.copy()
        x = self._dc.solve(sigma, self._rhs(sigma, self._dc.dofs, self.g))
        phi.isaxpy(self._dc.dofs, 1.0, x)
        if self._dc_fill is not None and any(eps):
            y = self._dc_fill.solve(eps, self._rhs(eps, self._dc_fill.dofs, phi))
            phi.isaxpy(self._dc_fill.dofs, 1.0, y)
        current = self._current(sigma, phi)
        return Solution(0.0, self.voltage / current if current != 0 else complex(np.inf), phi)

    def _diagonal_positive(self, weights: list[float]) -> np.ndarray:
        """Owned dofs whose row in Σ w_k K_k is non-zero (touched by a weighted cell)."""
        total = self.terms[0].matrix.createVecLeft()
        total.set(0.0)
        for wk, t in zip(weights, self.terms, strict=True):
            if wk > 0:
                total.axpy(wk, t.matrix.getDiagonal())
        d = np.abs(total.array)
        scale = self.comm.allreduce(float(d.max(initial=0.0)), MPI.MAX)
        return d > 1e-12 * scale

    def function(self, phi: PETSc.Vec) -> fem.Function:
        """The potential as a DOLFINx Function (ghosts updated)."""
        u = fem.Function(self.V)
        n = self.V.dofmap.index_map.size_local
        u.x.array[:n] = phi.array
        u.x.scatter_forward()
        return u

    def sweep(self, frequencies: np.ndarray, on_step=None) -> np.ndarray:
        """Z at each frequency (Hz) by one direct solve per frequency."""
        Z = np.empty(len(frequencies), dtype=complex)
        for i, f in enumerate(frequencies):
            Z[i] = self.solve(2 * np.pi * float(f)).impedance
            if on_step is not None:
                on_step(i, f, Z[i])
        return Z
