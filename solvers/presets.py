"""Named material presets with their provenance: electrolytes, metals and known contact pairs.

A preset only fills the fields a config leaves out (user values override). Every number says
where it comes from: a publication, cited by its key in docs/references.md with the section,
figure or table, or "placeholder" where no measured value was found. Values marked "derived"
are our arithmetic on published numbers, not measurements. SI units throughout (S/m, eV,
Ω·m², metres); the comments give the source's own units.
"""

from __future__ import annotations

from typing import Any

MS_PER_CM = 0.1  # 1 mS/cm in S/m
OHM_CM2 = 1e-4  # 1 Ω·cm² in Ω·m²

# --- electrolytes (keys are the fields of config.Electrolyte) ---------------------------------

ELECTROLYTES: dict[str, dict[str, Any]] = {
    # Na3.4Zr2Si2.4P0.6O12 (NASICON), total conductivity as one medium.
    # σ: 5.5 mS/cm at 25 °C ([Ma2019], quoted in [Ortmann2023] §1).
    # Ea,tot: 0.31 eV for Au|NZSP0.4|Au ([Ortmann2023] SI §2; its Table S-4 gives 0.32 eV).
    # εr: placeholder 30 (no bulk permittivity in these sources; the demo uses the same value).
    "NZSP": {
        "conductivity": 5.5 * MS_PER_CM,
        "permittivity": 30.0,
        "activation_energy": 0.31,
        "reference_temperature": 298.15,
    },
    # The same NZSP as a brick-layer polycrystal with separate bulk and grain-boundary arcs.
    # Ea,bulk 0.26 eV, Ea,GB 0.36 eV ([Ortmann2023] §2.2.2). Grain size 1.5 µm (distribution
    # 0.4-3 µm, [Ortmann2023] SI Fig. S-1). Derived (our arithmetic): σ_bulk(25 °C) ≈ 13 mS/cm
    # and the specific σ_GB(25 °C) ≈ 0.49 mS/cm, extrapolated from 1.1 and 0.014 mS/cm at
    # -40 °C ([Ortmann2023] SI §2, eqs. E1-E2) with these Ea; εr ≈ 500 from the bulk apex
    # (4.7 MHz at -40 °C, SI Fig. S-2) and from the GB apex at 25 °C (1.57 MHz, 4.5 nF/cm²,
    # [Ortmann2023] §2.1.1, Fig. 1a). The paper's σ_GB is the brick-layer "specific" value
    # (its eq. E2 assumes εr,GB = εr,bulk), so δ/d = C_bulk/C_GB: with R_GB ≈ 22.5 Ω·cm² on
    # 2 mm (derived: 1/(2π · 1.57 MHz · 4.5 nF/cm²)), δ/d ≈ 0.055, i.e. an effective δ ≈ 83 nm.
    # Together these give σ_total ≈ 5.5 mS/cm at 25 °C, as quoted.
    "NZSP-polycrystal": {
        "conductivity": 13.0 * MS_PER_CM,
        "permittivity": 500.0,
        "activation_energy": 0.26,
        "reference_temperature": 298.15,
        "grain_boundaries": {
            "grain_size": 1.5e-6,
            "thickness": 83e-9,
            "conductivity": 0.49 * MS_PER_CM,
            "permittivity": 500.0,
            "activation_energy": 0.36,
            "reference_temperature": 298.15,
        },
    },
    # Al-substituted cubic Li7La3Zr2O12 (garnet). σ: 0.3 mS/cm at 25 °C, the headline value
    # of [Murugan2007] (Cussen's review quotes "up to 4e-4 S/cm" for Li garnets). Ea: 0.32 eV
    # as usually quoted from the same paper (not checked against the original). εr:
    # placeholder 50.
    "LLZO": {
        "conductivity": 0.3 * MS_PER_CM,
        "permittivity": 50.0,
        "activation_energy": 0.32,
        "reference_temperature": 298.15,
    },
    # Na3PS4 (cold-pressed). σ: 0.185 mS/cm at room temperature ([Deysher2024] ch. 1,
    # Supplementary Fig. 6). Ea: 27 kJ/mol = 0.28 eV for cubic Na3PS4 glass-ceramic
    # ([Hayashi2012]). εr: placeholder 30.
    "Na3PS4": {
        "conductivity": 0.185 * MS_PER_CM,
        "permittivity": 30.0,
        "activation_energy": 0.28,
        "reference_temperature": 298.15,
    },
    # Na4B10H10B12H12 closo-borate (NBH). σ: 1.8 mS/cm at room temperature ([Deysher2024]
    # ch. 1, Supplementary Fig. 6); solution-processed NBH gives 1 mS/cm at 25 °C
    # ([Duchene2020], abstract). Neither gives Arrhenius numbers ([Deysher2024] ch. 2,
    # Supplementary Fig. 9c has the data only as a plot): no activation energy, so σ does not
    # change with temperature unless the config gives one. εr: placeholder 30.
    "NBH": {
        "conductivity": 1.8 * MS_PER_CM,
        "permittivity": 30.0,
        "activation_energy": None,
        "reference_temperature": 298.15,
    },
}

# --- metals ---------------------------------------------------------------------------------

# Electronic conductivity at 20 °C from the resistivities in the CRC Handbook of Chemistry and
# Physics ("Electrical resistivity of pure metals"): Na 47.7, Li 92.8, Cu 16.78, Al 26.5 nΩ·m.
# It is 7-8 orders above any solid electrolyte, which is why the solver treats metal as an
# equipotential. "blocking": the metal does not exchange the mobile ion (a current collector
# before plating), so its contact has no charge transfer, only a double layer.
METALS: dict[str, dict[str, Any]] = {
    "Na": {"electronic_conductivity": 1 / 47.7e-9, "blocking": False},
    "Li": {"electronic_conductivity": 1 / 92.8e-9, "blocking": False},
    "Cu": {"electronic_conductivity": 1 / 16.78e-9, "blocking": True},
    "Al": {"electronic_conductivity": 1 / 26.5e-9, "blocking": True},
}

# Charge-transfer resistance of known metal|electrolyte pairs (Ω·m²), used when a config names
# the metal but gives neither R_ct nor an exchange current density.
# Na|NZSP: "only about 1.3 Ω cm²" for any charge-transfer step incl. the thin SEI
# ([Ortmann2023] §2.2.2). Li|LLZO: "in the order of 0.1 Ω cm²" from microelectrodes
# ([Krauskopf2020], quoted in [OrtmannThesis2024] §2.1.2).
CHARGE_TRANSFER_RESISTANCE: dict[tuple[str, str], float] = {
    ("Na", "NZSP"): 1.3 * OHM_CM2,
    ("Na", "NZSP-polycrystal"): 1.3 * OHM_CM2,
    ("Li", "LLZO"): 0.1 * OHM_CM2,
}


def merged(preset: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``preset`` overridden by ``given``, recursively for nested sections."""
    out = dict(preset)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out
