"""The run-config schema (pydantic), its units and the loading of YAML files with overrides.

The sections live in small modules (cell and interface, materials and kinetics, numerics); this
package re-exports the names the application layer uses.
"""

from eisfem.config.cell import (
    Cell,
    CylinderCell,
    DiskContact,
    FullContact,
    Interface,
    PatchCell,
    PoreArray,
)
from eisfem.config.loading import (
    apply_overrides,
    describe_validation_error,
    json_schema,
    load_config,
    parse_config,
    printable,
    read_yaml,
    set_dotted,
)
from eisfem.config.materials import (
    ContactKinetics,
    Electrolyte,
    Material,
    ThermallyActivated,
)
from eisfem.config.numerics import MeshSettings, SolverSettings
from eisfem.config.run_config import RunConfig

__all__ = [
    "Cell",
    "ContactKinetics",
    "CylinderCell",
    "DiskContact",
    "Electrolyte",
    "FullContact",
    "Interface",
    "Material",
    "MeshSettings",
    "PatchCell",
    "PoreArray",
    "RunConfig",
    "SolverSettings",
    "ThermallyActivated",
    "apply_overrides",
    "describe_validation_error",
    "json_schema",
    "load_config",
    "parse_config",
    "printable",
    "read_yaml",
    "set_dotted",
]
