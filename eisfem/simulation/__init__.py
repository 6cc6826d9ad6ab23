"""One run: translate a config into geometry, solver and postprocessing inputs, run them, and
write the run folder."""
