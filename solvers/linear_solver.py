"""Linear solves of Σ_k c_k K_k x = b on a subset of the dofs: MUMPS or a Krylov method.

Every frequency of a spectrum has the same operator pattern (a same-pattern AXPY of fixed
matrices), so one :class:`RestrictedOperator` is built per dof subset and re-used:

* ``direct``: MUMPS, LDLᵀ by default (the operator is complex *symmetric*, Aᵀ = A, so MUMPS's
  symmetric mode stores half the factor and does about half the work of LU), the symbolic
  analysis done once and re-used by every numeric factorization. MUMPS controls are set on the
  factor matrix (``setMumpsIcntl``/``setMumpsCntl`` after ``setFactorSetUpSolverType``): options
  put in the PETSc database after the factor exists would be silently ignored.
  A new coefficient vector does not refactorize at once: the solve first runs a few GMRES steps
  preconditioned by the factor at hand (right preconditioning, so the tolerance bounds the true
  residual). Where the field's shape does not change with ω (one medium between electrodes:
  A(ω) = c(ω) K), or the guess (the reduced model's solution) is already exact, this converges
  in 0–2 steps and saves the factorization: on a disk contact (67k P2 dofs) the P2 sweep's
  set-ups fell from 3.9 s to 2.1 s and the P3 estimate from 26 s to 16 s, same Z to 1e-13.
  Across a relaxation (the demo's pores) GMRES needs 30–40 steps, more than a factorization
  costs, so it gives up after ``REUSE_ITERATIONS`` (about 5 % of a factorization lost), and
  after ``REUSE_GIVE_UP`` such failures in a row the operator stops trying: whether the field
  changes shape with ω is a property of the cell (a direct sweep of the demo over 60
  frequencies, 8 per decade, never converged once).
* ``iterative``: right-preconditioned GMRES on A(ω) = Σ c_k K_k with an algebraic multigrid
  (GAMG) of the real operator P(ω) = Σ |c_k| K_k. For passive media (Re c_k, Im c_k ≥ 0,
  K_k positive semi-definite) vᴴAv / vᴴPv lies in the first quadrant with modulus in
  [1/√2, 1] for every v, so GMRES preconditioned by P converges at a rate independent of ω,
  of the mesh and of the conductivity/permittivity contrast; only the multigrid quality of P
  remains. GAMG's default Chebyshev–Jacobi smoother fails on the thin-gap slivers of pore
  meshes at high frequency (GMRES stalls above 1 GHz on the demo); Gauss–Seidel (SOR)
  smoothing converges in 10–30 iterations at every frequency, hence the defaults below.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from petsc4py import PETSc

from eisfem.core.errors import SolverError

SAME = PETSc.Mat.Structure.SAME_NONZERO_PATTERN

# Krylov defaults (right preconditioning, so rtol bounds the true residual); config values win.
ITERATIVE_DEFAULTS: dict[str, str | int | float] = {
    "ksp_type": "gmres",
    "ksp_gmres_restart": 60,
    "ksp_pc_side": "right",
    "ksp_norm_type": "unpreconditioned",
    "pc_type": "gamg",
    "mg_levels_ksp_type": "richardson",
    "mg_levels_pc_type": "sor",
}

# MUMPS INFOG entries reported after a factorization (MUMPS 5 user guide, section 6)
MUMPS_INFOG = {
    3: "factor_entries_estimated",
    29: "factor_entries",
    35: "factor_entries_after_low_rank_compression",  # < factor_entries only with ICNTL(35)
    7: "ordering_used",
    21: "memory_used_MB_max_rank",
    22: "memory_used_MB_total",
}

_prefixes = itertools.count()

# A direct solve at new coefficients first tries GMRES preconditioned by the factor at hand (see
# the module docstring); it gives up after REUSE_ITERATIONS, each a back-substitution and a
# product, a few percent of a factorization. REUSE_RTOL bounds the true relative residual, near
# round-off: a direct solve's current is linear in x, so its Z is off by about the residual times
# the condition number (1e-10 left a 5e-8 floor in the five-arc reference sweep of the tests).
REUSE_ITERATIONS = 3
REUSE_RTOL = 1e-13
REUSE_GIVE_UP = 2  # failed attempts in a row after which an operator always factorizes


@dataclass(frozen=True)
class LinearSolverOptions:
    """How the restricted systems are solved (the config's ``solver`` section fills this)."""

    method: Literal["direct", "iterative"] = "direct"
    factorization: Literal["ldlt", "lu"] = "ldlt"
    mumps_icntl: Mapping[int, int] = field(default_factory=lambda: {14: 50})
    mumps_cntl: Mapping[int, float] = field(default_factory=dict)
    rtol: float = 1e-10
    max_iterations: int = 1000
    petsc_options: Mapping[str, str | int | float | bool] = field(default_factory=dict)

    def as_petsc_options(self) -> dict[str, str | int | float | bool]:
        """The same choices as PETSc option-database entries, for solvers that own their KSP
        (the DC and Butler–Volmer Newton solves). The entries are set before the factor
        matrix exists, so MUMPS reads its ICNTL/CNTL from them."""
        if self.method == "iterative":
            return ITERATIVE_DEFAULTS | {
                "ksp_rtol": self.rtol,
                "ksp_max_it": self.max_iterations,
                **self.petsc_options,
            }
        return {
            "ksp_type": "preonly",
            "pc_type": "cholesky" if self.factorization == "ldlt" else "lu",
            "pc_factor_mat_solver_type": "mumps",
            **{f"mat_mumps_icntl_{k}": int(v) for k, v in self.mumps_icntl.items()},
            **{f"mat_mumps_cntl_{k}": float(v) for k, v in self.mumps_cntl.items()},
            **self.petsc_options,
        }


# Block low-rank (BLR) MUMPS: ICNTL(35) = 2 compresses the factor's off-diagonal blocks to a
# relative precision CNTL(7). For the degree p + 1 reference of the error estimate, which is
# needed to ~1e-6 (a hundredth of the smallest target), not to machine precision.
LOW_RANK_ICNTL = {35: 2}
LOW_RANK_CNTL = {7: 1e-8}


def low_rank(options: LinearSolverOptions) -> LinearSolverOptions:
    """``options`` with block low-rank MUMPS, unless they already choose ICNTL(35) or are not
    direct. Measured on the P3 estimate of a disk contact (116k P2 dofs): 274 s → 76 s and the
    estimate changed by 2e-10 of itself (ε = 1e-6 gained another 10 % for 3e-9)."""
    if options.method != "direct" or 35 in options.mumps_icntl:
        return options
    return replace(
        options,
        mumps_icntl={**options.mumps_icntl, **LOW_RANK_ICNTL},
        mumps_cntl={**LOW_RANK_CNTL, **options.mumps_cntl},
    )


@dataclass
class SolverStats:
    """Work done by one operator (for the run summary and the benchmarks)."""

    setups: int = 0  # numeric factorizations (direct) or preconditioner set-ups (iterative)
    solves: int = 0
    iterations: int = 0
    setup_seconds: float = 0.0
    solve_seconds: float = 0.0
    reuse_attempts: int = 0  # solves tried with an earlier factor as preconditioner (direct)
    reused: int = 0  # of those, the ones that converged (a factorization saved)
    reuse_iterations: int = 0


class RestrictedOperator:
    """A = Σ c_k K_k restricted to ``dofs``, set up for one coefficient vector at a time."""

    def __init__(
        self,
        dofs: PETSc.IS,
        matrices: Sequence[PETSc.Mat],
        options: LinearSolverOptions = LinearSolverOptions(),
    ):
        self.dofs = dofs
        self.options = options
        self.blocks = [K.createSubMatrix(dofs, dofs) for K in matrices]
        self.A = self.blocks[0].duplicate(copy=True)
        self.stats = SolverStats()
        self.stale = False  # A changed since the factorization (direct; see update)
        self.failed_in_a_row = 0  # attempts to reuse the factor that failed, since a success
        self.ksp = PETSc.KSP().create(dofs.comm)
        prefix = f"eisfem{next(_prefixes)}_"
        self.ksp.setOptionsPrefix(prefix)
        db = PETSc.Options()
        if options.method == "direct":
            self.P = None
            self.ksp.setOperators(self.A)
            self.ksp.setType("preonly")
            pc = self.ksp.getPC()
            if options.factorization == "ldlt":
                # the sum of symmetric blocks stays symmetric at every frequency
                self.A.setOption(PETSc.Mat.Option.SYMMETRIC, True)
                self.A.setOption(PETSc.Mat.Option.SYMMETRY_ETERNAL, True)
                pc.setType("cholesky")
            else:
                pc.setType("lu")
            pc.setFactorSolverType("mumps")
            pc.setFactorSetUpSolverType()
            factor = pc.getFactorMatrix()
            for key, value in options.mumps_icntl.items():
                factor.setMumpsIcntl(int(key), int(value))
            for key, value in options.mumps_cntl.items():
                factor.setMumpsCntl(int(key), float(value))
            settings = dict(options.petsc_options)
        else:
            self.P = self.blocks[0].duplicate(copy=True)
            self.ksp.setOperators(self.A, self.P)
            settings = ITERATIVE_DEFAULTS | dict(options.petsc_options)
            self.ksp.setTolerances(rtol=options.rtol, max_it=options.max_iterations)
        for key, value in settings.items():
            db[f"{prefix}{key}"] = value
        self.ksp.setFromOptions()

    @property
    def iterative(self) -> bool:
        return self.P is not None

    def update(self, coefficients: Sequence[complex]) -> None:
        """Assemble A = Σ c_k K_k (and P = Σ |c_k| K_k) and set up the solver; a direct
        solver with a factorization at hand defers the new one to :meth:`solve`, which first
        tries the old factor as a preconditioner."""
        t0 = time.perf_counter()
        self.A.zeroEntries()
        for c, block in zip(coefficients, self.blocks, strict=True):
            if c != 0:
                self.A.axpy(c, block, SAME)
        if self.P is not None:
            self.P.zeroEntries()
            for c, block in zip(coefficients, self.blocks, strict=True):
                if c != 0:
                    self.P.axpy(abs(c), block, SAME)
        self.stats.setup_seconds += time.perf_counter() - t0
        if not self.iterative and self.stats.setups and self.failed_in_a_row < REUSE_GIVE_UP:
            self.stale = True
            return
        self.set_up()

    def set_up(self) -> None:
        """Factorize A (direct) or set up the preconditioner of P (iterative) now; after
        :meth:`update` a direct :meth:`solve` calls this only if the factor at hand fails."""
        t0 = time.perf_counter()
        self.stale = False
        self.ksp.setOperators(self.A, self.P if self.P is not None else self.A)
        pc = self.ksp.getPC()
        try:
            self.ksp.setUp()
            failed = pc.getFailedReason()
        except PETSc.Error:
            failed = -1
        if failed and not self.iterative:
            info = pc.getFactorMatrix().getMumpsInfog(1)
            hint = {
                -10: "the system is singular: is every conducting region connected to an "
                "electrode?",
                -9: "MUMPS ran out of its work space: raise solver.mumps_icntl {14: ...}",
                -19: "the memory cap solver.mumps_icntl {23: ...} (MB per rank) is too small",
                -13: "out of memory: try solver.mumps_icntl {35: 2} (block low-rank) or "
                "solver.linear_solver: iterative",
            }.get(info, "see the MUMPS manual (INFOG), or reduce the mesh size")
            raise SolverError(f"MUMPS factorization failed (INFOG(1) = {info}); {hint}")
        if failed:
            raise SolverError(f"preconditioner set-up failed (PETSc reason {failed})")
        self.stats.setups += 1
        self.stats.setup_seconds += time.perf_counter() - t0

    def solve(self, rhs: PETSc.Vec, guess: PETSc.Vec | None = None) -> PETSc.Vec:
        """x with A x = rhs for the operator of the last :meth:`update`."""
        if self.stale:
            x = self._solve_with_old_factor(rhs, guess)
            if x is not None:
                return x
            self.set_up()
        t0 = time.perf_counter()
        x = self.A.createVecRight()
        if guess is not None and self.iterative:
            guess.copy(x)
            self.ksp.setInitialGuessNonzero(True)
        else:
            self.ksp.setInitialGuessNonzero(False)
        self.ksp.solve(rhs, x)
        if self.iterative:
            reason = self.ksp.getConvergedReason()
            its = self.ksp.getIterationNumber()
            self.stats.iterations += its
            if reason <= 0:
                raise SolverError(
                    f"the Krylov solver did not converge (PETSc reason {reason} after {its} "
                    "iterations); raise solver.krylov_max_iterations or use "
                    "solver.linear_solver: direct"
                )
        self.stats.solves += 1
        self.stats.solve_seconds += time.perf_counter() - t0
        return x

    def _solve_with_old_factor(self, rhs: PETSc.Vec, guess: PETSc.Vec | None) -> PETSc.Vec | None:
        """x from GMRES on the new A preconditioned by the factor of an earlier A, or None if
        it does not converge within ``REUSE_ITERATIONS`` (then factorizing is cheaper)."""
        t0 = time.perf_counter()
        pc = self.ksp.getPC()
        pc.setReusePreconditioner(True)
        self.ksp.setType("gmres")
        self.ksp.setTolerances(rtol=REUSE_RTOL, atol=0.0, max_it=REUSE_ITERATIONS)
        self.ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
        self.ksp.setPCSide(PETSc.PC.Side.RIGHT)
        x = self.A.createVecRight()
        if guess is not None:
            guess.copy(x)
        self.ksp.setInitialGuessNonzero(guess is not None)
        self.ksp.setOperators(self.A, self.A)
        self.ksp.solve(rhs, x)
        converged = self.ksp.getConvergedReason() > 0
        its = self.ksp.getIterationNumber()
        self.ksp.setType("preonly")
        self.ksp.setInitialGuessNonzero(False)
        pc.setReusePreconditioner(False)
        self.stats.reuse_attempts += 1
        self.stats.reuse_iterations += its
        self.stats.solve_seconds += time.perf_counter() - t0
        if not converged:
            self.failed_in_a_row += 1
            return None
        self.failed_in_a_row = 0
        self.stats.solves += 1
        self.stats.reused += 1
        return x

    def summary(self) -> dict[str, object]:
        """Options, work done and (direct) MUMPS's factor report, for summary.json."""
        o = self.options
        out: dict[str, object] = {"method": o.method} | asdict(self.stats)
        if self.iterative:
            out |= {
                "krylov_rtol": o.rtol,
                "petsc_options": ITERATIVE_DEFAULTS | dict(o.petsc_options),
            }
        else:
            out |= {
                "factorization": o.factorization,
                "mumps_icntl": {str(k): v for k, v in o.mumps_icntl.items()},
                "mumps_cntl": {str(k): v for k, v in o.mumps_cntl.items()},
                "mumps_infog": self.factor_info(),
            }
        return out

    def factor_info(self) -> dict[str, float]:
        """MUMPS's own account of the last factorization (factor size, memory); {} if none."""
        if self.iterative or self.stats.setups == 0:
            return {}
        factor = self.ksp.getPC().getFactorMatrix()
        return {name: factor.getMumpsInfog(key) for key, name in MUMPS_INFOG.items()}
