"""A lab's contract as programs: labs/NN_slug/contract/{pass,fail}_<step>_<what>.py.

- pass_2_sendto.py: a correct program written another way than solution.py; it passes steps 1-2.
- fail_2_no_tag.py: a usual mistake in step 2; steps before 2 pass, step 2 fails, and a failing
  check of step 2 says the docstring's `says:` text (the words that name the mistake).

The self-test (tests/integration/test_labs_selftest.py) runs every one against the real stack.

>>> [(p.kind, p.step) for p in programs(resolve("lab3"))]   # doctest: +SKIP
[('fail', 2), ('fail', 2), ('pass', 2), ('pass', 2), ('pass', 2)]
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from lab_runner.labs import Lab, LabError

NAME = re.compile(r"^(pass|fail)_(\d+)_([a-z0-9_]+)\.py$")


@dataclass(frozen=True)
class Program:
    """One program of a lab's contract."""

    path: Path
    kind: str
    """"pass" (a variant that must pass) or "fail" (a mistake that must fail)."""
    step: int
    """The step it is about: a variant passes steps 1..step, a mistake fails at exactly this one."""
    says: str = ""
    """For a mistake: text a failing check of that step must say (it names the mistake)."""


def programs(lab: Lab) -> list[Program]:
    """LAB's contract programs, by file name; LabError for a file that does not follow the form."""
    found = []
    for path in sorted((lab.folder / "contract").glob("*.py")):
        name = NAME.match(path.name)
        if not name:
            raise LabError(
                f"{path}: a contract program is named pass_<step>_<what>.py or fail_<step>_<what>.py"
            )
        kind, step = name.group(1), int(name.group(2))
        if not 1 <= step <= len(lab.steps):
            raise LabError(f"{path}: {lab.key} has no step {step}")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        says = re.search(r"^says: (.+)$", doc, re.MULTILINE)
        if kind == "fail" and not says:
            raise LabError(f"{path}: a mistake's docstring says what the report must name: 'says: ...'")
        found.append(Program(path, kind, step, says.group(1).strip() if says else ""))
    return found
