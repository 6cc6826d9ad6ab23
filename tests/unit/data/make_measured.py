"""Write the small measured-format spectra used by tests/unit/test_compare.py (run from anywhere).

One spectrum in four instrument formats, from a known circuit, so a test can check the reading,
the area normalisation and the misfit against closed forms: a 10 mm diameter electrode
(area 0.785398 cm²) with R_s + (R1‖CPE1) + (R2‖CPE2), given in Ω (the per-cm² values times
1/area), 1 MHz to 1 Hz at 6 points per decade. Noise-free: the files are exact to their digits.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
AREA_CM2 = np.pi * 0.5**2  # 10 mm diameter
# area-specific circuit (Ω·cm², s): R_s, then (R, τ, n) per arc
R_S = 0.05
ARCS = [(0.4, 5e-7, 0.95), (0.3, 2e-5, 0.9)]


def circuit_ohm_cm2(f: np.ndarray) -> np.ndarray:
    z = np.full(f.shape, R_S, dtype=complex)
    for r, tau, n in ARCS:
        z += r / (1 + (2j * np.pi * f * tau) ** n)
    return z


def main() -> None:
    f = np.logspace(6, 0, 37)
    z = circuit_ohm_cm2(f) / AREA_CM2  # Ω, as an instrument reports it
    mod, phase = np.abs(z), np.degrees(np.angle(z))

    with (HERE / "measured.csv").open("w") as fh:
        fh.write("Frequency (Hz),Z' (ohm),-Z'' (ohm)\n")
        for row in zip(f, z.real, -z.imag, strict=True):
            fh.write(",".join(f"{v:.9g}" for v in row) + "\n")

    columns = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "|Z|/Ohm", "Phase(Z)/deg", "time/s"]
    head = [
        "EC-Lab ASCII FILE",
        "Nb header lines : 7",
        "",
        "Potentio Electrochemical Impedance Spectroscopy",
        "",
        "Electrode surface area : 0.785 cm²",
        "\t".join(columns) + "\t",
    ]
    rows = [
        "\t".join(f"{v:.7E}" for v in (fi, zi.real, -zi.imag, m, p, float(k)))
        for k, (fi, zi, m, p) in enumerate(zip(f, z, mod, phase, strict=True))
    ]
    (HERE / "measured.mpt").write_text("\n".join(head + rows) + "\n", encoding="latin-1")

    head = [
        "EXPLAIN",
        "TAG\tEISPOT",
        "TITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier",
        "AREA\tQUANT\t0.785\tSample &Area (cm^2)",
        "ZCURVE\tTABLE",
        "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange",
        "\t#\ts\tHz\tohm\tohm\tV\tohm\t°\tA\tV\t#",
    ]
    rows = [
        f"\t{k}\t{k}\t"
        + "\t".join(f"{v:.9g}" for v in (fi, zi.real, zi.imag, 1.0, m, p, 0.0, 0.0))
        + "\t8"
        for k, (fi, zi, m, p) in enumerate(zip(f, z, mod, phase, strict=True))
    ]
    (HERE / "measured.dta").write_text("\n".join(head + rows) + "\n", encoding="latin-1")

    head = [
        "ZPLOT2 ASCII",
        "  Measured Data, Software:    1.0.0",
        "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange",
        "End Comments",
    ]
    rows = [
        "\t".join(f"{v:.9E}" for v in (fi, 0.0, 0.0, 0.0, zi.real, zi.imag, 0.0)) + "\t0\t0"
        for fi, zi in zip(f, z, strict=True)
    ]
    (HERE / "measured.z").write_text("\n".join(head + rows) + "\n", encoding="latin-1")


if __name__ == "__main__":
    main()
