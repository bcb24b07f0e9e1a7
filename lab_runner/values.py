"""Per-learner values: a lab's parameters drawn from who the learner is (as Labtainers does), so
that a classmate's file with their values written in fails, and a program that reads its own
passes.

    [values]                                   # in lab.toml
    facility = { one_of = ["local0", "local3", "local5"] }
    port = { between = [20000, 29999] }

    >>> spec = parse({"port": {"between": [20000, 29999]}}, "lab.toml")
    >>> mine = of("dev_log", spec, "alice")
    >>> mine == of("dev_log", spec, "Alice ")     # the same person, however the name is typed
    True
    >>> environment(mine)
    {'LAB_PORT': '...'}                            # doctest: +SKIP
    >>> render("connect to port {{port}}", {"port": 20417})
    'connect to port 20417'

The exercise reads its values from its environment (LAB_<KEY>, next to LAB_TOKEN); the checks
from `run.values`; the step texts say them ({{key}}). `grade` draws them from the learner's
folder name, a learner's own runs from the name set once with `python -m lab_runner learner NAME`.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import re
import unicodedata
from typing import TypeVar

KEY = re.compile(r"[a-z][a-z0-9_]{0,30}")
NAME = re.compile(r"[^\x00-\x1f\x7f]{1,64}")  # a learner's name: one printable line, 64 at most
PLACE = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}")
Value = int | str
L = TypeVar("L")
Spec = tuple[tuple[str, str, tuple[Value, ...]], ...]  # (key, "one_of" | "between", its items)


class ValuesError(ValueError):
    """A lab's [values] table, or a learner's name, is not well formed (the caller says where)."""


def parse(table: object, where: str) -> Spec:
    """lab.toml's [values] table, checked: each key is `one_of = [...]` (strings or integers)
    or `between = [low, high]` (integers)."""
    if not isinstance(table, dict):
        raise ValuesError(
            f"{where}: [values] is a table: key = {{ one_of = [...] }} or {{ between = [low, high] }}"
        )
    spec = []
    for key, rule in table.items():
        if not KEY.fullmatch(key):
            raise ValuesError(f"{where}: [values] key {key!r} is not lowercase letters, digits and _")
        if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("one_of", "between"):
            raise ValuesError(
                f"{where}: [values] {key} is {{ one_of = [...] }} or {{ between = [low, high] }}"
            )
        kind, items = next(iter(rule.items()))
        ints = isinstance(items, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in items)
        if kind == "between" and not (ints and len(items) == 2 and items[0] <= items[1]):
            raise ValuesError(f"{where}: [values] {key}: between = [low, high], two integers, low first")
        strs = isinstance(items, list) and all(isinstance(i, str) and "\0" not in i for i in items)
        if kind == "one_of" and not (items and (ints or strs) and len(set(items)) == len(items)):
            raise ValuesError(f"{where}: [values] {key}: one_of = a list of different strings or integers")
        spec.append((key, kind, tuple(items)))
    return tuple(spec)


def person(name: str) -> str:
    """NAME as a person reads it: white space, case and Unicode form do not make another learner."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def checked_name(name: str) -> str:
    """NAME, if it can name a learner (one line, 1 to 64 characters, not only spaces)."""
    if not NAME.fullmatch(name) or not name.strip():
        raise ValuesError(f"a learner's name is one line of 1 to 64 characters, not {name[:70]!r}")
    return name.strip()


def default_name() -> str:
    """Whose runs these are when no name was set: the account's."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def of(lab: str, spec: Spec, learner: str) -> dict[str, Value]:
    """LEARNER's value of each key of LAB's SPEC: the same every time, another for another learner."""
    values: dict[str, Value] = {}
    for key, kind, items in spec:
        digest = hashlib.sha256(f"{lab}\0{key}\0{person(learner)}".encode()).digest()
        pick = int.from_bytes(digest[:8], "big")
        if kind == "between":
            low, high = items
            values[key] = int(low) + pick % (int(high) - int(low) + 1)
        else:
            values[key] = items[pick % len(items)]
    return values


def environment(values: dict[str, Value]) -> dict[str, str]:
    """The exercise's environment for VALUES: LAB_<KEY>=value, beside LAB_TOKEN."""
    return {f"LAB_{key.upper()}": str(value) for key, value in values.items()}


def render(text: str, values: dict[str, Value]) -> str:
    """TEXT with each {{key}} replaced by the learner's value (an unknown key stays as it is)."""
    return PLACE.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)


def said_in(lab: L, mine: dict[str, Value]) -> L:
    """LAB (a labs.Lab) as the learner with values MINE reads it: {{key}} said in its look and in
    each step's title, goal, hints, check hints and lesson."""
    if not mine:
        return lab

    def said(text: str) -> str:
        return render(text, mine)

    def step(s):  # a labs.Step
        return dataclasses.replace(
            s,
            title=said(s.title),
            goal=said(s.goal),
            hints=tuple(map(said, s.hints)),
            check_hints=tuple((name, tuple(map(said, h))) for name, h in s.check_hints),
            lesson=tuple(map(said, s.lesson)),
        )

    return dataclasses.replace(lab, look=said(lab.look), steps=tuple(map(step, lab.steps)))  # type: ignore[type-var]
