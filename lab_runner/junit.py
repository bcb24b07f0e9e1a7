"""JUnit XML, the one writer: a lab run's report (a suite per lab, a case per check) and a
class's grades (a suite per learner, a case per lab) both say what they hold as Suites of Cases.
Every text goes through escaping, so the file parses whatever an exercise printed."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner.escaping import escaped, one_line
from lab_runner.paths import atomic_write


@dataclass
class Case:
    classname: str
    name: str
    seconds: float = 0.0
    outcome: str = "passed"
    """passed, failure, error or skipped."""
    message: str = ""
    kind: str = ""
    """A failure's type attribute (grades: failed or invalid)."""
    detail: str = ""
    output: str | None = None


@dataclass
class Suite:
    name: str
    cases: list[Case] = field(default_factory=list)
    seconds: float = 0.0
    properties: dict[str, str] = field(default_factory=dict)


def write(path: Path, name: str, suites: list[Suite]) -> None:
    """PATH holds the suites as JUnit XML (whole, or as it was); OSError if it cannot be written."""
    top = ET.Element("testsuites", name=name)
    for suite in suites:
        count = {k: sum(c.outcome == k for c in suite.cases) for k in ("failure", "error", "skipped")}
        element = ET.SubElement(
            top,
            "testsuite",
            name=one_line(suite.name),
            tests=str(len(suite.cases)),
            failures=str(count["failure"]),
            errors=str(count["error"]),
            skipped=str(count["skipped"]),
            time=f"{suite.seconds:.3f}",
        )
        if suite.properties:
            props = ET.SubElement(element, "properties")
            for key, value in suite.properties.items():
                ET.SubElement(props, "property", name=key, value=one_line(value))
        for c in suite.cases:
            case = ET.SubElement(
                element,
                "testcase",
                classname=one_line(c.classname),
                name=one_line(c.name),
                time=f"{c.seconds:.3f}",
            )
            if c.outcome != "passed":
                attrs = {"message": one_line(c.message)} | ({"type": c.kind} if c.kind else {})
                ET.SubElement(case, c.outcome, attrs).text = escaped(c.detail) if c.detail else None
            if c.output is not None:
                ET.SubElement(case, "system-out").text = escaped(c.output)
    tree = ET.ElementTree(top)
    ET.indent(tree)
    out = io.BytesIO()
    tree.write(out, encoding="utf-8", xml_declaration=True)
    atomic_write(path, out.getvalue().decode("utf-8"))
