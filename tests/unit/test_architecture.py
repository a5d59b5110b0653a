"""The import graph keeps the shape the README draws: no cycles, Textual only in the UI, pure
cores, and the simulator known to the composition root and the CLI only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "drivers", "simulator")
CORES = ("kiosk.workflow", "kiosk.photo", "kiosk.fingerprint", "kiosk.document")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` (annotations only, never run)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports when it runs, at module level or inside a function
    (imports for type checking only are not followed: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_blocks(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for package in PACKAGES
               for path in (ROOT / package).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name] = {target for target in imports_of(path) if target in modules}
        edges[name] |= {target for target in imports_of(path)
                        if target.split(".")[0] not in PACKAGES}
    return edges


def test_no_import_cycles_among_our_packages() -> None:
    edges = {name: {t for t in targets if t.split(".")[0] in PACKAGES}
             for name, targets in graph().items()}
    # A package importing its own submodules (lazy __init__ exports) is not a cycle.
    for name in edges:
        edges[name] = {t for t in edges[name] if t != name and not t.startswith(name + ".")}
    visiting: set[str] = set()
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in done:
            return
        if node in visiting:
            cycles.append(path[path.index(node):] + [node])
            return
        visiting.add(node)
        for target in sorted(edges.get(node, ())):
            visit(target, path + [node])
        visiting.discard(node)
        done.add(node)

    for name in sorted(edges):
        visit(name, [])
    assert cycles == []


def test_only_the_ui_imports_textual() -> None:
    offenders = [name for name, targets in graph().items()
                 if not name.startswith("kiosk.ui")
                 and any(t.split(".")[0] == "textual" for t in targets)]
    assert offenders == []


def test_cores_import_no_drivers_simulator_ui_or_service() -> None:
    forbidden = ("drivers", "simulator", "kiosk.ui", "kiosk.service", "textual")
    offenders = {name: sorted(t for t in targets if t.startswith(forbidden))
                 for name, targets in graph().items() if name.startswith(CORES)}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_drivers_know_nothing_of_the_kiosk_or_the_simulator() -> None:
    offenders = {name: sorted(t for t in targets if t.startswith(("kiosk", "simulator")))
                 for name, targets in graph().items() if name.startswith("drivers")}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_at_most_two_kiosk_modules_know_the_simulator() -> None:
    knowing = sorted(name for name, targets in graph().items()
                     if name.startswith("kiosk") and any(t.startswith("simulator")
                                                         for t in targets))
    assert knowing == ["kiosk.commands", "kiosk.composition"]
