"""Many runs: parameter sweeps (expansion, folders, local workers, Slurm arrays, aggregation)."""
