"""Write measured.csv: the "measured" spectrum that configs/fit-demo/fit.yaml fits.

eisfem's own spectrum of the demo geometry at hidden values (void radius 41 µm, height 35 nm),
computed with the fit's model (the mesh sizes the fit pins at its starting point), at an
analyser's frequencies (10 MHz to 1 kHz, 8 per decade), in Ω for a 10 mm electrode, with 0.5 %
Gaussian noise on the real and imaginary parts (relative to |Z|, seed 2026). The fit should
find the hidden values inside its 95 % intervals.
Run: .venv/bin/python configs/fit-demo/make_measured.py
"""

from pathlib import Path

import numpy as np

import eisfem  # noqa: F401  (before DOLFINx)
from eisfem.inverse.evaluate import simulate
from eisfem.inverse.fit import pin_mesh
from eisfem.inverse.fitfile import load_fit

HERE = Path(__file__).resolve().parent
HIDDEN = {"interface.radius": 41e-6, "interface.height": 35e-9}
NOISE = 0.005
AREA_CM2 = np.pi * 0.5**2


def main() -> None:
    problem = pin_mesh(load_fit(HERE / "fit.yaml"))
    values = np.array([HIDDEN[f] for f in problem.fields])
    frequency = np.logspace(7, 3, 33)
    out = simulate(problem.config(values).resolved_dict(), frequency)
    z = out["impedance"] / AREA_CM2  # Ω·cm² → Ω
    rng = np.random.default_rng(2026)
    z = z + NOISE * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    with (HERE / "measured.csv").open("w") as fh:
        fh.write("Frequency (Hz),Z' (ohm),-Z'' (ohm)\n")
        for row in zip(frequency, z.real, -z.imag, strict=True):
            fh.write(",".join(f"{v:.9g}" for v in row) + "\n")


if __name__ == "__main__":
    main()
