"""The layer contract, checked on the source: who may import whom, no folder cycles, small modules.

Layers from top to bottom; a module may import its own layer and the layers below it, never
above. geometry/, solvers/ and postprocess/ take plain typed inputs, so they must never import
the config schema, one run's application code, the batch layer or the CLI.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = [
    "eisfem.cli",
    "eisfem.api",
    "eisfem.inverse",
    "eisfem.batch",
    "eisfem.simulation",
    "eisfem.config",
    "eisfem.postprocess",
    "eisfem.solvers",
    "eisfem.geometry",
    "eisfem.core",
]
FOLDERS = ("geometry", "solvers", "postprocess")  # installed as eisfem.geometry, ...
MAX_LINES = 400


def _package_of(path: Path, root: Path) -> str:
    """The dotted module name of a source file (geometry/ is installed as eisfem.geometry)."""
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[0] != "eisfem":
        parts.insert(0, "eisfem")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Path]:
    tops = [ROOT / "eisfem", *(ROOT / f for f in FOLDERS)]
    found = sorted(p for top in tops for p in top.rglob("*.py"))
    assert all(any(p.is_relative_to(top) for p in found) for top in tops), "a layer is missing"
    return found


def _layer(module: str) -> int | None:
    """Index of the layer holding ``module`` (None: the package root or outside eisfem)."""
    for i, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            return i
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Absolute eisfem imports of a file (line, module), lazy imports inside functions too."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "eisfem":
            out += [(node.lineno, f"eisfem.{a.name}") for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
    return [(line, m) for line, m in out if m == "eisfem" or m.startswith("eisfem.")]


def layer_violations(sources: list[Path], root: Path = ROOT) -> list[str]:
    """Every import of a higher layer (or of the package root, which imports the API)."""
    bad = []
    for path in sources:
        me = _layer(_package_of(path, root))
        if me is None:
            continue
        for line, module in _imports(path):
            if module == "eisfem":
                bad.append(f"{path.relative_to(root)}:{line} imports the package root")
                continue
            other = _layer(module)
            if other is not None and other < me:
                bad.append(f"{path.relative_to(root)}:{line} imports {module} (a higher layer)")
    return sorted(set(bad))


def _folder(module: str, folder_of: dict[str, str]) -> str | None:
    """The folder holding ``module``: its file's, or the package folder of its submodules."""
    if module in folder_of:
        return folder_of[module]
    inside = {f for m, f in folder_of.items() if m.startswith(module + ".")}
    return min(inside, key=len) if inside else folder_of.get(module.rsplit(".", 1)[0])


def folder_cycles(sources: list[Path], root: Path = ROOT) -> list[list[str]]:
    """Strongly connected groups of folders in the folder-level import graph."""
    folder_of = {_package_of(p, root): str(p.parent.relative_to(root)) for p in sources}
    edges: dict[str, set[str]] = defaultdict(set)
    for path in sources:
        me = str(path.parent.relative_to(root))
        for _, module in _imports(path):
            target = _folder(module, folder_of)
            if target is not None and target != me:
                edges[me].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return groups


def test_no_layer_violations():
    assert layer_violations(_sources()) == []


def test_no_folder_cycles():
    assert folder_cycles(_sources()) == []


def test_modules_are_small():
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"geometry/mesh.py": "from eisfem.config import RunConfig\n"}, "a higher layer"),
        ({"solvers/x.py": "def f():\n    from eisfem.simulation import model\n"}, "higher layer"),
        ({"postprocess/x.py": "import eisfem\n"}, "package root"),
    ],
)
def test_the_contract_catches_violations(tmp_path, files, expected):
    """The checker fails on the kinds of import this refactoring removed (lazy ones too)."""
    (found,) = layer_violations(_write(tmp_path, files), tmp_path)
    assert expected in found


def test_the_cycle_check_catches_a_cycle(tmp_path):
    files = {
        "geometry/plan.py": "from eisfem.geometry.morphologies import disks\n",
        "geometry/morphologies/disks.py": "from eisfem.geometry.plan import UM\n",
    }
    cycles = folder_cycles(_write(tmp_path, files), tmp_path)
    assert cycles == [["geometry", "geometry/morphologies"]]


def _write(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(p)
    return paths
