"""Linear solver options reach MUMPS and PETSc, and every solver path gives the same Z."""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.config import load_config, parse_config
from eisfem.core.errors import ConfigError, SolverError
from eisfem.postprocess.impedance import log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.linear_solver import REUSE_GIVE_UP, REUSE_ITERATIONS, RestrictedOperator
from eisfem.solvers.spectrum import solve_spectrum
from tests.helpers import DEMO, nzsp

SMALL = ["solver.degree=1", "mesh.refine=0.7"]


@pytest.fixture(scope="module")
def demo_bundle():
    cfg = load_config(DEMO, SMALL)
    return cfg, build_mesh(cfg)


def system_with(demo_bundle, **solver):
    cfg, bundle = demo_bundle
    cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update=solver)})
    return build_system(cfg, bundle)


def test_ldlt_and_lu_agree(demo_bundle):
    ldlt, lu = system_with(demo_bundle), system_with(demo_bundle, factorization="lu")
    for omega in (0.0, 2 * np.pi * 1e4, 2 * np.pi * 1e8, 2 * np.pi * 1e10):
        assert ldlt.solve(omega).impedance == pytest.approx(lu.solve(omega).impedance, rel=1e-10)
    # the symmetric factor is the smaller one
    entries = [s.operator.factor_info()["factor_entries"] for s in (ldlt, lu)]
    assert entries[0] < 0.7 * entries[1]


def test_mumps_controls_take_effect(demo_bundle):
    """ICNTL(7) (ordering) set through the factor matrix is the ordering MUMPS reports using."""
    used = {}
    for ordering in (0, 5):  # AMD, METIS
        system = system_with(demo_bundle, mumps_icntl={7: ordering})
        system.solve(2 * np.pi * 1e6)
        factor = system.operator.ksp.getPC().getFactorMatrix()
        assert factor.getMumpsIcntl(7) == ordering
        used[ordering] = system.operator.factor_info()
    assert used[0]["ordering_used"] == 0 and used[5]["ordering_used"] == 5
    assert used[0]["factor_entries"] != used[5]["factor_entries"]


def test_mumps_memory_cap_is_enforced(demo_bundle):
    """ICNTL(23) = 1 MB per rank cannot hold the factor: MUMPS refuses, and says why."""
    system = system_with(demo_bundle, mumps_icntl={23: 1})
    with pytest.raises(SolverError, match=r"INFOG\(1\) = -19.*23"):
        system.solve(2 * np.pi * 1e6)


def test_block_low_rank_compresses_the_factor():
    """ICNTL(35) = 2 with CNTL(7) = 1e-8: fewer factor entries, Z unchanged to 1e-6 (P2 fronts
    need ~3e4 dofs before MUMPS finds blocks worth compressing)."""
    raw = {
        "cell": {"shape": "cylinder", "radius": 100e-6, "thickness": 200e-6},
        "interface": {"kind": "disk", "radius": 10e-6},
        "materials": nzsp(),
        "mesh": {"size_bulk": 12e-6, "size_edge": 4e-6},
    }
    infos, impedances = [], []
    cfg = parse_config(raw)
    bundle = build_mesh(cfg)
    for icntl, cntl in (({}, {}), ({35: 2}, {7: 1e-8})):
        solver = cfg.solver.model_copy(update={"mumps_icntl": icntl, "mumps_cntl": cntl})
        system = build_system(cfg.model_copy(update={"solver": solver}), bundle)
        impedances.append(system.solve(2 * np.pi * 1e5).impedance)
        infos.append(system.operator.factor_info())
    full, blr = infos
    assert full["factor_entries_after_low_rank_compression"] == full["factor_entries"]
    assert blr["factor_entries_after_low_rank_compression"] < 0.97 * blr["factor_entries"]
    assert impedances[1] == pytest.approx(impedances[0], rel=1e-6)


def test_iterative_solver_matches_direct_at_every_frequency(demo_bundle):
    """GMRES + GAMG(Σ|c_k|K_k) with SOR smoothing, including 10 GHz where the default
    Chebyshev smoother stalls on the pore slivers."""
    direct = system_with(demo_bundle)
    iterative = system_with(demo_bundle, linear_solver="iterative")
    for omega in (0.0, 2 * np.pi * 1e3, 2 * np.pi * 1e7, 2 * np.pi * 1e10):
        z = iterative.solve(omega).impedance
        assert z == pytest.approx(direct.solve(omega).impedance, rel=1e-8)
    assert iterative.operator.stats.iterations > 0
    assert iterative.operator.stats.iterations < 60 * iterative.operator.stats.solves


def test_fast_sweep_on_the_iterative_path(demo_bundle):
    cfg, _ = demo_bundle
    f = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 4)
    reference = system_with(demo_bundle).direct_impedance(f)
    result = solve_spectrum(system_with(demo_bundle, linear_solver="iterative"), f, "fast", 1e-4)
    assert np.max(np.abs(result.impedance / reference - 1)) < 1e-4


def test_petsc_options_reach_the_krylov_solver(demo_bundle):
    system = system_with(
        demo_bundle,
        linear_solver="iterative",
        petsc_options={"ksp_type": "fgmres", "pc_gamg_threshold": 0.02},
    )
    system.solve(2 * np.pi * 1e6)
    ksp = system.operator.ksp
    assert ksp.getType() == "fgmres"
    assert ksp.getPC().getType() == "gamg"
    text = system.operator.summary()
    assert text["petsc_options"]["pc_gamg_threshold"] == 0.02


def test_krylov_failure_is_one_clear_error(demo_bundle):
    system = system_with(demo_bundle, linear_solver="iterative", krylov_max_iterations=2)
    with pytest.raises(SolverError, match="did not converge"):
        system.solve(2 * np.pi * 1e6)


def test_solver_fields_are_validated():
    with pytest.raises(ConfigError, match=r"solver\.mumps_icntl"):
        load_config(DEMO, ["solver.mumps_icntl={99: 1}"])
    with pytest.raises(ConfigError, match=r"solver\.sweep: "):
        load_config(DEMO, ["solver.sweep=slow"])
    with pytest.raises(ConfigError, match=r"solver\.sweep_tolerance"):
        load_config(DEMO, ["solver.sweep_tolerance=0.5"])


def refactorizing(monkeypatch) -> None:
    """Every new coefficient vector factorized, as before factor reuse (the reference)."""
    monkeypatch.setattr(RestrictedOperator, "_solve_with_old_factor", lambda self, b, x0: None)


def sweep_twice(system_of, freqs, monkeypatch):
    """The fast sweep with factor reuse, then with a factorization at every snapshot."""
    reusing = system_of()
    fast = solve_spectrum(reusing, freqs, "fast", 1e-4)
    with monkeypatch.context() as m:
        refactorizing(m)
        reference = solve_spectrum(system_of(), freqs, "fast", 1e-4)
    return reusing.operator.stats, fast, reference


def test_one_medium_factorizes_once_and_reuses_the_factor(monkeypatch):
    """A disk contact with no interface kinetics: A(ω) = (σ + iωε) K, so the factor at the first
    snapshot solves the other snapshot and the ω-derivatives in a GMRES step or two."""
    raw = {
        "cell": {"shape": "cylinder", "radius": 25e-6, "thickness": 50e-6},
        "interface": {"kind": "disk", "radius": 10e-6},
        "materials": {"electrolyte": {"conductivity": 0.55, "permittivity": 30}},
        "frequencies": {"max": 1e11, "min": 1e5, "points_per_decade": 2},
        "mesh": {"refine": 0.6},
    }
    cfg = parse_config(raw)
    bundle = build_mesh(cfg)
    freqs = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 2)
    stats, fast, reference = sweep_twice(lambda: build_system(cfg, bundle), freqs, monkeypatch)
    assert fast.report["operator_setups"] == 1 < reference.report["operator_setups"]
    # every solve after the first snapshot's (its solution and ω-derivative, the factor's own)
    assert stats.reused == stats.reuse_attempts == fast.report["operator_solves"] - 2
    assert stats.reuse_iterations <= 2 * stats.reused
    assert np.max(np.abs(fast.impedance / reference.impedance - 1)) < 1e-10


def test_across_a_relaxation_the_old_factor_gives_up_and_z_is_unchanged(demo_bundle, monkeypatch):
    """The demo's pores: GMRES with a factor from another side of the relaxation needs 30–40
    steps; it stops after REUSE_ITERATIONS and factorizes, and Z is what refactorizing gives."""
    cfg, _ = demo_bundle
    freqs = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 4)
    stats, fast, reference = sweep_twice(lambda: system_with(demo_bundle), freqs, monkeypatch)
    assert stats.reused < stats.reuse_attempts  # the fallback was taken
    assert stats.reuse_iterations >= REUSE_ITERATIONS * (stats.reuse_attempts - stats.reused)
    assert fast.report["operator_setups"] == reference.report["operator_setups"] - stats.reused
    assert np.max(np.abs(fast.impedance / reference.impedance - 1)) < 1e-10


def test_an_operator_stops_trying_the_old_factor_after_failures_in_a_row(demo_bundle):
    """A direct sweep of the demo: neighbouring frequencies do not help either, so after
    REUSE_GIVE_UP failed attempts every frequency is factorized straight away."""
    cfg, _ = demo_bundle
    freqs = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 4)
    system = system_with(demo_bundle)
    system.direct_impedance(freqs)
    stats = system.operator.stats
    failed = stats.reuse_attempts - stats.reused
    assert failed <= REUSE_GIVE_UP * (stats.reused + 1)  # each success allows new attempts
    assert stats.reuse_attempts < freqs.size - 1  # it stopped trying
    assert stats.setups + stats.reused == freqs.size
