"""No module-level state changes after import, but constants and caches of machine facts.

A run's learning lives in its Run (lab_runner/context.py), a process's means of running in its
Session (lab_runner/session.py): both made where they are used and passed down. This test reads
lab_runner's modules and the labs' checks, and fails on a module-level container some function
writes to, a `global`, a module-level object made by a call that is not a known constant, or a
function cache: each is state that outlives a run. What may stay is listed in ALLOWED, with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("lab_runner/**/*.py"), *ROOT.glob("labs/*/checks/*.py")])
# (file, name) -> why it may outlive a run.
ALLOWED = {
    ("lab_runner/evidence.py", "_facts"): "evidence.once: facts of the machine, taken on the stack's "
    "own workbench where no exercise runs, keyed by its container",
    ("lab_runner/evidence.py", "_finding"): "the lock around _facts",
    ("lab_runner/stack.py", "engine"): "the machine's Docker Engine (DOCKER_HOST), one per process",
    (
        "lab_runner/judged_events.py",
        "_declared",
    ): "each check's parameters and what it judged: a fact of the lab's files",
}
MUTATORS = {"append", "add", "update", "pop", "popitem", "clear", "setdefault", "extend", "remove",
            "discard", "insert", "__setitem__"}  # fmt: skip
# Calls whose result is a constant (or a lock, which holds no data).
CONSTANT_CALLS = {"re.compile", "frozenset", "tuple", "Path", "int", "float", "str", "TypeVar", "TypedDict",
                  "os.environ.get", "_root", "threading.Lock", "object", "dict", "set", "list",
                  "re.escape", "len", "sorted", "bytes", "range", "max", "min",
                  "log_of", "services.log_of"}  # fmt: skip


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _module_names(tree: ast.Module) -> dict[str, ast.AST]:
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) and node.value is not None else []  # fmt: skip
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = node.value  # type: ignore[union-attr]
    return found


def _problems(path: Path, root: Path = ROOT) -> list[str]:
    rel = str(path.relative_to(root))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _module_names(tree)
    problems: list[str] = []
    for name, value in names.items():
        if isinstance(value, ast.Call) and _dotted(value.func) not in CONSTANT_CALLS:
            problems.append(f"{rel}: {name} = {_dotted(value.func)}(...) at module level")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                called = _dotted(deco.func if isinstance(deco, ast.Call) else deco)
                if called in {"functools.cache", "functools.lru_cache", "cache", "lru_cache"}:
                    problems.append(f"{rel}: {node.name} is cached for the process ({called})")
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for func in functions:
        for node in ast.walk(func):
            if isinstance(node, ast.Global):
                problems += [f"{rel}: {func.name} rebinds the module's {n} (global)" for n in node.names]
            target = None
            if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                for t in node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]:
                    if isinstance(t, ast.Subscript | ast.Attribute):  # NAME[k] = ..., NAME.x = ...
                        target = _dotted(t.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
            ):
                target = _dotted(node.func.value)
            if target and target in names and not _local(func, target):
                problems.append(f"{rel}: {func.name} changes the module's {target}")
    return [p for p in problems if not any(p.startswith(f"{f}: ") and n in p for f, n in ALLOWED)]


def _local(func: ast.AST, name: str) -> bool:
    """NAME is bound inside FUNC (a parameter or a local), so it is not the module's."""
    args = func.args  # type: ignore[attr-defined]
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a}
    if name in params:
        return True
    for node in ast.walk(func):
        for target in getattr(node, "targets", []) + [getattr(node, "target", None)]:
            if isinstance(target, ast.Name) and target.id == name and isinstance(target.ctx, ast.Store):
                return True
    return False


def test_no_module_level_state_changes_after_import():
    problems = [p for path in FILES for p in _problems(path)]
    assert not problems, "module-level state (put it in the Run or the Session):\n" + "\n".join(problems)


def test_the_scan_sees_what_it_forbids(tmp_path):
    # The scan itself: a module dict written by a function, a global, a module object, a cache.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import functools\nSEEN = {}\nPOOL = Pool()\nn = 0\n"
        "def f(k):\n    SEEN[k] = 1\n"
        "def g():\n    global n\n    n += 1\n"
        "@functools.cache\ndef h():\n    return 1\n"
    )
    found = _problems(bad, tmp_path)
    assert len(found) == 4, found


def test_a_run_finds_once_per_key_and_a_find_may_ask_another_key():
    from lab_runner.context import Run

    run, asked = Run("lab6-0123456789ab"), []

    def ip() -> str:
        asked.append("ip")
        return "172.20.0.6"

    both = lambda: (run.once("ip", ip), "chat")  # noqa: E731  (an address asks the IP: no deadlock)
    assert run.once("addresses", both) == run.once("addresses", both) == ("172.20.0.6", "chat")
    assert run.once("ip", ip) == "172.20.0.6" and asked == ["ip"]
    assert Run("lab6-ba9876543210").once("ip", lambda: "other") == "other"  # nothing outlives a run
