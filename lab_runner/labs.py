"""Find labs (a lab is a folder, labs/NN_slug/ with a lab.toml) and resolve what a learner typed.

>>> [lab.key for lab in discover()]            # doctest: +SKIP
['lab1', 'lab2', 'lab3']
>>> resolve("3").folder.name                    # also "lab3", "03", "03_dev_log", "dev_log"
'03_dev_log'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lab_runner import lossy_link
from lab_runner import values as per_learner
from lab_runner.paths import LABS_DIR

FOLDER = re.compile(r"^(\d{2})_([a-z0-9_]+)$")


MAX_TIMEOUT = 600  # seconds: the longest time limit a lab, --timeout or grade may set


def valid_timeout(seconds: float) -> bool:
    return 0 < seconds <= MAX_TIMEOUT


def services_for(chosen: list[Lab]) -> list[str]:
    """The services runs of these labs need up: theirs, and the workbench (whose image each
    sandbox is made from)."""
    return sorted({s for lab in chosen for s in lab.services} | {"workbench"})


class LabError(Exception):
    """The input is wrong: an unknown lab, or a lab folder that is not well formed (exit 2)."""


@dataclass(frozen=True)
class Step:
    """One step of a lab: a goal, the checks that say it is reached, and hints, one at a time."""

    title: str
    """One line, e.g. "Your turn: send it whole, tagged, at local0.warning"."""
    goal: str
    """What the step expects, in words a learner can act on (the report shows it as "expected")."""
    checks: tuple[str, ...]
    """The names of its check functions (def test_... in checks/test_*.py)."""
    hints: tuple[str, ...]
    """Shown one at a time when the step fails: what to look at first, the answer's shape last."""
    check_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """A check's own hints, (check, hints) pairs: shown before the step's when that check fails first."""
    lesson: tuple[str, ...] = ()
    """The events its lesson is made of, in the order they happen, e.g. ("connect EINPROGRESS",
    "wait", "getsockopt SO_ERROR"): the page draws and labels them (lab_runner/lessons.py)."""
    expected_errors: tuple[str, ...] = ()
    """The errnos the step makes on purpose (lab 8's ECONNREFUSED): the hints never explain
    them as mistakes, in this step or a later one (a later step's program carries its code)."""

    def hints_of(self, check: str) -> tuple[str, ...]:
        return next((hints for name, hints in self.check_hints if name == check), ())


@dataclass(frozen=True)
class Lab:
    """One lab, as its folder and lab.toml describe it."""

    number: int
    """The NN of labs/NN_slug: the order learners take the labs in."""
    name: str
    """The slug of labs/NN_slug, e.g. "dev_log"; lab.toml's `name` must match it."""
    title: str
    """One line for lists and reports, e.g. "A datagram to /dev/log"."""
    services: tuple[str, ...]
    """The compose services the lab needs healthy (the exercise always runs in workbench)."""
    steps: tuple[Step, ...]
    """In order: step 1 is the article's experiment (the starter passes it), then the learner's."""
    timeout: float
    """Seconds the exercise may run before it is stopped and the lab fails."""
    folder: Path
    """labs/NN_slug/."""
    look: str = ""
    """A command that shows the learner the evidence themselves; {token} is this run's token."""
    serve: int = 0
    """A server lab: the TCP port the exercise listens on in the workbench; the checks then
    drive it as clients while it runs (0: the exercise runs to its end before the checks)."""
    stall: float = 0.0
    """Seconds the exercise may go without a socket call after a send before its checks run on what
    it did (a server that waits for a line end keeps it in recv() until its idle timeout); 0: never."""
    values: per_learner.Spec = ()
    """[values]: parameters each learner gets their own of (lab_runner/values.py)."""
    link: tuple[int, int] = (0, 0)
    """[link]: (port, drop) of a lossy link lab-run makes in the sandbox (lossy_link.py); (0, 0): none."""

    @property
    def key(self) -> str:
        """What a learner types: lab3."""
        return f"lab{self.number}"

    @property
    def exercise_path(self) -> Path:
        """The learner's file: made from the starter on first use (learner.own_file); git ignores it."""
        return self.folder / "exercise.py"

    @property
    def starter_path(self) -> Path:
        """The shipped starter, the lab's only copy of it in git: what exercise.py is made from on
        first use, and what `reset` puts back."""
        return self.folder / ".starter.py"

    @property
    def solution_path(self) -> Path:
        return self.folder / "solution.py"

    @property
    def checks_dir(self) -> Path:
        return self.folder / "checks"

    def values_of(self, learner: str) -> dict[str, per_learner.Value]:
        """LEARNER's own values of this lab's [values] ({} for a lab without)."""
        return per_learner.of(self.name, self.values, learner)

    def as_seen_by(self, mine: dict[str, per_learner.Value]) -> Lab:
        """The lab as the learner with values MINE reads it: each {{key}} of its texts said."""
        return per_learner.said_in(self, mine)


def _strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise LabError(f"{where}: '{key}' must be a non-empty list of non-empty strings")
    return tuple(value)


def _string(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LabError(f"{where}: '{key}' must be a non-empty string")
    return value


# The kinds of event a step's lesson may name (the exchange's kinds, and "eof": a recv of b'').
LESSON_KINDS = {
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "send",
    "recv",
    "eof",
    "shutdown",
    "close",
    "wait",
    "getsockopt",
    "setsockopt",
    "error",
    "fork",
    "log",
    "packet",
}


def _lesson(step: dict, at: str) -> tuple[str, ...]:
    if "lesson" not in step:
        return ()
    items = _strings(step, "lesson", at)
    for item in items:
        if item.split()[0] not in LESSON_KINDS:
            known = ", ".join(sorted(LESSON_KINDS))
            raise LabError(f"{at}: lesson '{item}' starts with no kind of event; known: {known}")
    return items


STEP_KEYS = {"title", "goal", "checks", "hints", "check_hints", "lesson", "expected_errors"}
ERRNO = re.compile(r"E[A-Z0-9]+")


def _errnos(step: dict, at: str) -> tuple[str, ...]:
    if "expected_errors" not in step:
        return ()
    found = _strings(step, "expected_errors", at)
    if wrong := [e for e in found if not ERRNO.fullmatch(e)]:
        raise LabError(f"{at}: expected_errors holds errno names such as ECONNREFUSED, not {wrong[0]!r}")
    return found


def _steps(data: dict, where: str) -> tuple[Step, ...]:
    raw = data.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise LabError(f"{where}: a lab needs [[steps]], each with a title, goal, checks and hints")
    steps = []
    for n, step in enumerate(raw, 1):
        at = f"{where}, step {n}"
        if unknown := sorted(set(step) - STEP_KEYS):
            raise LabError(
                f"{at}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(STEP_KEYS))}"
            )
        checks = _strings(step, "checks", at)
        own = step.get("check_hints", {})
        if not isinstance(own, dict):
            raise LabError(f"{at}: [steps.check_hints] is a table: check name = [hints]")
        if stray := sorted(set(own) - set(checks)):
            raise LabError(f"{at}: [steps.check_hints] names checks of this step, not {', '.join(stray)}")
        steps.append(
            Step(
                title=_string(step, "title", at),
                goal=_string(step, "goal", at),
                checks=checks,
                hints=_strings(step, "hints", at),
                check_hints=tuple((name, _strings(own, name, f"{at}, check_hints")) for name in own),
                lesson=_lesson(step, at),
                expected_errors=_errnos(step, at),
            )
        )
    names = [c for s in steps for c in s.checks]
    if twice := sorted({c for c in names if names.count(c) > 1}):
        raise LabError(f"{where}: check(s) {', '.join(twice)} belong to more than one step")
    return tuple(steps)


# "concepts" (what the lab teaches, in a few words each) is for people reading lab.toml:
# lab_runner accepts it and reads none of it.
KNOWN = {"name", "title", "concepts", "services", "steps", "timeout", "look", "serve", "stall", "values"}
KNOWN |= {"link"}


def load(folder: Path) -> Lab:
    """Read FOLDER/lab.toml into a Lab, or raise LabError saying what is wrong with it."""
    match = FOLDER.match(folder.name)
    if not match:
        raise LabError(f"{folder}: a lab folder is named NN_slug (two digits, lowercase slug)")
    toml_file = folder / "lab.toml"
    where = str(toml_file)
    try:
        data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise LabError(f"{toml_file}: missing") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise LabError(f"{toml_file}: not valid TOML: {err}") from err
    if unknown := sorted(set(data) - KNOWN):
        raise LabError(f"{toml_file}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN))}")
    name = _string(data, "name", where)
    if name != match.group(2):
        raise LabError(f"{toml_file}: name '{name}' does not match the folder's slug '{match.group(2)}'")
    timeout = data.get("timeout", 30)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not valid_timeout(timeout):
        raise LabError(f"{toml_file}: 'timeout' must be a number of seconds between 0 and {MAX_TIMEOUT}")
    look = data.get("look", "")
    if not isinstance(look, str):
        raise LabError(f"{toml_file}: 'look' must be a string (a command to see the evidence)")
    serve = data.get("serve", 0)
    if not isinstance(serve, int) or isinstance(serve, bool) or not 0 <= serve < 65536:
        raise LabError(f"{toml_file}: 'serve' must be a TCP port number (the port the exercise listens on)")
    stall = data.get("stall", 0)
    if not isinstance(stall, int | float) or isinstance(stall, bool) or not 0 <= stall < timeout:
        raise LabError(f"{toml_file}: 'stall' must be seconds (0: never), less than the timeout")
    try:
        spec = per_learner.parse(data.get("values", {}), where)
    except per_learner.ValuesError as err:
        raise LabError(str(err)) from err
    steps = _steps(data, where)
    said = [look, *(t for s in steps for t in (s.title, s.goal, *s.hints, *s.lesson))]
    said += [h for s in steps for _, hints in s.check_hints for h in hints]
    if unknown := sorted({m for t in said for m in per_learner.PLACE.findall(t)} - {k for k, _, _ in spec}):
        raise LabError(f"{toml_file}: {{{{{unknown[0]}}}}} names no key of its [values] table")
    return Lab(
        number=int(match.group(1)),
        name=name,
        title=_string(data, "title", where),
        services=_strings(data, "services", where),
        steps=steps,
        timeout=float(timeout),
        folder=folder,
        look=look,
        serve=serve,
        stall=float(stall),
        values=spec,
        link=lossy_link.parse(data.get("link"), where, LabError),
    )


def discover(labs_dir: Path | None = None) -> list[Lab]:
    """Every labs/*/lab.toml (or LABS_DIR's), in number order."""
    found = (load(toml.parent) for toml in (labs_dir or LABS_DIR).glob("*/lab.toml"))
    return sorted(found, key=lambda lab: lab.number)


def resolve(text: str, labs: list[Lab] | None = None) -> Lab:
    """The lab meant by "lab3", "3", "03", "03_dev_log", "dev_log" or "labs/03_dev_log/"."""
    labs = discover() if labs is None else labs
    wanted = text.strip().rstrip("/").removeprefix("labs/").lower()
    for lab in labs:
        number = re.fullmatch(r"(?:lab)?0*(\d+)", wanted)
        if (number and int(number.group(1)) == lab.number) or wanted in (lab.folder.name, lab.name):
            return lab
    valid = ", ".join(f"{lab.key} ({lab.folder.name})" for lab in labs) or "none: labs/ is empty"
    raise LabError(f"unknown lab '{text}'; the labs are: {valid}")
