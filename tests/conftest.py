"""The project's own tests: unit tests (no Docker) and integration tests on the real stack.

Their fixtures: the stack's containers as testinfra hosts, and a fresh token per test.

    def test_line_in_syslog(rsyslog, token): ...

(The labs' checks do not use pytest: lab_runner.checks passes them the same names.)

The suite runs on pytest-xdist's workers (pyproject.toml's addopts), each on a Compose stack of its
own (pytest_configure below, tests/integration/conftest.py). Tests that must share a worker, a
module's expensive module-scoped fixture or an order within a module, are grouped (GROUPS), and
the longest start first (FIRST).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import testinfra

from lab_runner import runs, stack
from lab_runner.hosts import service_host

# Modules whose tests run on one worker, in their order: a module-scoped fixture that runs many
# labs (made once, not once per worker), or a stack of the module's own that its last test takes
# down. (xdist's own xdist_group marks do nothing under pytest 9: it renames item._nodeid, which
# pytest 9 no longer reads; so the scheduler below groups by module.)
GROUPS = {
    "test_page_layout.py": "each lab's solution and starter run once, for all the module's tests",
    "test_two_stacks.py": "a second stack, taken down by the module's last test",
    "test_lab_runner.py": "the learner's own labs/03_dev_log/exercise.py, which its tests write (own_lab3)",
    "test_swarm.py": "one class graded both ways for all its tests, and the swarm it may make and leave",
}
# Tests that grade hostile programs or floods beside good runs under the labs' time limits, or
# must write so much in so long: they need the machine to themselves (a good lab 6 ran past its
# limit beside three other workers), so no other worker's test runs while they do
# (pytest_runtest_protocol), and they come last, after the work that runs side by side.
ALONE = {
    "test_a_hostile_learner_changes_nothing_of_a_good_learners_grades",
    "test_a_run_that_fills_the_chat_room_no_longer_makes_a_run_beside_it_fail",
    "test_a_flood_of_a_service_is_misbehaviour_and_changes_no_other_grade",
    "test_a_flood_of_dev_log_keeps_the_log_volume_bounded",
    # Leaving a swarm drops the names of every container on a Compose network until it restarts
    # (test_swarm.py's teardown restarts them all): no other worker's test may run meanwhile.
    # (Their module is one unit in GROUPS, and xdist hands the largest units out first: these run
    # near the start, alone all the same.)
    "test_not_a_swarm_manager_is_one_line_and_exit_2",
    "test_swarm_grades_match_local_entry_for_entry",
    "test_a_task_lost_mid_grading_costs_only_its_unfinished_runs",
    "test_the_grader_task_is_not_privileged_and_has_no_capability",
    "test_no_grader_stack_is_left",
}
# The rest, longest first (worker-seconds measured in a run of the suite): the workers finish
# together when the longest tests do not come last. A module's tests stay together and in order.
FIRST = ["test_red_team.py", "test_grade.py", "test_red_team_services.py", "test_faults.py", "test_page.py",
         "test_lab_runner.py", "test_labs_selftest.py"]  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """On xdist worker gwN (N > 0): a Compose project of its own, PROJECT-gwN, on ports Docker
    picks. lab_runner and every `docker compose` a test runs read these variables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker == "gw0":
        return
    own = f"{stack.project()}-{worker}"
    os.environ.update({"COMPOSE_PROJECT_NAME": own, "FLASK_PORT": "0", "CHAT_PORT": "0"})
    os.environ["SOCKETLAB_TESTS_OWN_STACK"] = own  # tests/integration/conftest.py takes it down


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Integration modules in FIRST's order before the others, then unit tests, then ALONE's
    (a stable sort: a module's tests keep their order)."""
    rank = {name: n for n, name in enumerate(FIRST)}

    def key(item: pytest.Item) -> tuple[int, int]:
        if getattr(item, "originalname", item.name) in ALONE:
            return (3, 0)
        unit = item.path.parent.name == "unit"
        return (2 if unit else 0 if item.path.name in rank else 1, rank.get(item.path.name, 0))

    items.sort(key=key)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Each test is a unit of work of its own, but a module in GROUPS is one unit: the grouped
    modules are handed out first (xdist's loadscope puts the largest units first)."""
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if Path(module).name in GROUPS else nodeid

    return ByGroup(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item):
    """Under xdist, a test in ALONE holds the machine from its setup (module fixtures included) to
    its teardown: it waits for the other workers' tests to end, and none starts until it is done.
    A turnstile lets it in ahead of the tests that come after it."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return (yield)
    folder = Path(tempfile.gettempdir())
    alone = getattr(item, "originalname", item.name) in ALONE
    with (
        open(folder / f"socketlab-tests-{run}.turnstile", "w") as gate,
        open(folder / f"socketlab-tests-{run}.machine", "w") as machine,
    ):
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(machine, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        return (yield)


def host_for(service: str) -> testinfra.host.Host:
    """A testinfra host for the running, healthy container of SERVICE, looked up now."""
    try:
        return service_host(service, stack.container_id(service))
    except stack.StackError as err:
        pytest.fail(f"environment: {err}", pytrace=False)


@pytest.fixture
def host_of() -> Callable[[str], testinfra.host.Host]:
    """host_of("chat") -> testinfra host of the chat container."""
    return host_for


@pytest.fixture
def flask() -> testinfra.host.Host:
    return host_for("flask")


@pytest.fixture
def chat() -> testinfra.host.Host:
    return host_for("chat")


@pytest.fixture
def rsyslog() -> testinfra.host.Host:
    return host_for("rsyslog")


@pytest.fixture
def workbench() -> testinfra.host.Host:
    return host_for("workbench")


@pytest.fixture
def token() -> str:
    """A fresh token per test, so no test passes on another's lines."""
    return runs.new_token("tok")
