"""lab_runner imports only downward: the layers of docs/architecture.md, checked on the source.

Every import counts, the lazy ones inside functions too (they are read from the syntax tree,
not from what happens to be imported at run time)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lab_runner"


def layers() -> dict[str, int]:
    """Module (as 'grade.entry') -> its layer's rank, 0 at the bottom, from the doc's table."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- layers:[^>]*-->\s*```text\n(.*?)```", doc, re.S)
    assert table, "docs/architecture.md lost its layers table"
    rows = [line.split()[1:] for line in table.group(1).strip().splitlines()]
    return {module: rank for rank, row in enumerate(reversed(rows)) for module in row}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name:  # lab_runner/__init__.py itself is empty
            found[name] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """The lab_runner modules PATH imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                base = ".".join(["lab_runner", *filter(None, [package, base])])
            # `from lab_runner import grade` names a module; `from lab_runner.x import y` a name in x
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("lab_runner."):
                found.add(target.removeprefix("lab_runner."))
    known = modules()
    return {t for t in found if t in known and t != name}


def test_every_module_has_a_layer():
    missing = sorted(set(modules()) - set(layers()))
    assert not missing, f"add these to the layers table in docs/architecture.md: {missing}"
    stale = sorted(set(layers()) - set(modules()))
    assert not stale, f"the layers table names modules that are gone: {stale}"


def test_no_module_imports_a_layer_above_it():
    rank = layers()
    upward = [
        f"{name} ({rank[name]}) imports {target} ({rank[target]})"
        for name, path in modules().items()
        for target in sorted(imports(name, path))
        if name in rank and target in rank and rank[target] > rank[name]
    ]
    assert not upward, "imports that point up:\n" + "\n".join(upward)


def test_there_is_no_import_cycle():
    graph = {name: imports(name, path) for name, path in modules().items()}
    # A package imports its own modules (grade/__init__ re-exports grade.command): not a cycle
    # as long as they do not import the package back.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return trail + [node, nxt]
            if not state.get(nxt) and (cycle := visit(nxt, trail + [node])):
                return cycle
        state[node] = 2
        return None

    for name in graph:
        if not state.get(name) and (cycle := visit(name, [])):
            raise AssertionError("an import cycle: " + " -> ".join(cycle))


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    # The test above must be able to fail: a lazy import inside a function is found.
    source = "def f():\n    from lab_runner import cli\n    return cli\n"
    path = tmp_path / "learner.py"
    path.write_text(source)
    assert "cli" in imports("learner", path)
