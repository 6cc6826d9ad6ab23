"""Materials, the frequency-domain FEM system and frequency sweeps."""
