"""The one table of services (lab_runner/services.py) agrees with what the stack does, and every
reader of a service's facts takes them from it."""

from __future__ import annotations

import re

import yaml

from lab_runner import judged_events, ladder, log_links, loglines, serverlogs
from lab_runner.paths import ROOT
from lab_runner.services import SERVICES, log_of, service_of

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]


def test_the_table_agrees_with_compose_and_the_images():
    assert set(SERVICES) <= set(COMPOSE)
    assert {n for n, s in SERVICES.items() if s.published} == {n for n in SERVICES if COMPOSE[n].get("ports")}
    images = {p: p.read_text(encoding="utf-8") for p in (ROOT / "images").glob("*/*") if p.is_file()}
    for service in SERVICES.values():
        for log in [*service.logs.values(), *service.evidence.values()]:
            assert any(log in text for text in images.values()), f"{service.name}: {log} is in no image"


def test_the_readers_take_the_services_facts_from_the_table():
    assert {n: s.log for n, s in SERVICES.items()} == serverlogs.LOGS
    assert serverlogs.PATHS == {"/dev/log": "rsyslog", "/run/syslog/log": "rsyslog"}
    assert set(SERVICES) == judged_events.SERVERS and ladder.STAMPS is not None
    copies = {"/var/log/syslog": "/var/log/lab/syslog", "/var/log/priority.log": "/var/log/lab/priority.log"}
    assert copies == loglines.EVIDENCE
    assert (
        log_of("rsyslog", "priority") == "/var/log/priority.log" and service_of(log_of("chat")).name == "chat"
    )
    assert ladder.STAMPS.sub("", '172.20.0.6 - - [05/Dec/2026 09:00:00] "GET / HTTP/1.1" 200 -').startswith(
        '"GET'
    )
    assert ladder.STAMPS.sub("", "Dec  5 09:00:00 wb lab3: hi") == "lab3: hi"


def test_a_line_is_joined_to_a_send_as_its_service_hears_it():
    sent = "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
    assert log_links._line(sent, "flask") == "GET / HTTP/1.1"  # Werkzeug quotes the request line
    assert log_links._line("hi\\n", "chat") == "hi"  # chat, a line
    assert log_links._line("<13>hi\\n", "rsyslog") == "<13>hi\\n"  # a datagram, whole
    assert [bool(re.compile(s.heard)) for s in SERVICES.values()] == [True, True, True]
