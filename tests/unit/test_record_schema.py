"""The exchange record keeps to its schema (lab_runner/record_schema.py, docs/exchange-schema.md):
every lane and event of every recorded run has its required keys, and no key the schema does
not name, with values of the named types. A new key is added to the schema and the doc first."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from recorded_runs import NAMES, record

from lab_runner import record_schema
from lab_runner.record_schema import Diff, Event, Lane, Record

DOC = Path(__file__).resolve().parents[2] / "docs" / "exchange-schema.md"


def allowed(hint: object) -> tuple[type, ...]:
    """The Python types a JSON value of HINT may have (a Literal: str; X | None: X or None)."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return (str,)
    if origin in (typing.Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in allowed(arg))
    if hint is type(None):
        return (type(None),)
    if origin is list:
        return (list,)
    if hint is float:
        return (float, int)
    if isinstance(hint, type) and issubclass(hint, dict):
        return (dict,)
    return (hint,) if isinstance(hint, type) else (object,)


def problems(item: dict, shape: type, where: str) -> list[str]:
    hints = typing.get_type_hints(shape, vars(record_schema))
    found = [f"{where}: no {key!r}" for key in shape.__required_keys__ - set(item)]
    for key, value in item.items():
        if key not in hints:
            found.append(f"{where}: {key!r} is not in {shape.__name__}")
        elif (
            isinstance(value, bool)
            and bool not in allowed(hints[key])
            or not isinstance(value, allowed(hints[key]))
        ):
            found.append(f"{where}: {key!r} is {value!r}, not {hints[key]}")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_lane_and_event_keeps_to_the_schema(name):
    rec, _ = record(name)
    found = problems(rec, Record, "record")
    for lane in rec["lanes"]:
        found += problems(lane, Lane, f"lane {lane.get('id')}")
    for event in rec["events"]:
        found += problems(event, Event, f"event {event.get('id')} ({event.get('kind')})")
        if "diff" in event:
            found += problems(event["diff"], Diff, f"event {event.get('id')} diff")
    assert not found, "\n".join(found)


def test_the_doc_names_every_key_of_the_schema():
    doc = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)`", doc))
    for shape in (Record, Lane, Event, Diff):
        missing = sorted(set(typing.get_type_hints(shape, vars(record_schema))) - named)
        assert not missing, f"docs/exchange-schema.md does not say what {shape.__name__}'s {missing} are"
