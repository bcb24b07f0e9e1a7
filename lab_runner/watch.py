"""python -m lab_runner watch [LAB]: check the lab again each time the learner saves exercise.py.

Like rustlings' watch: it starts at LAB (default: the first lab not passed yet), shows the
same report as `python -m lab_runner LAB` on every save, and once the lab passes, moves on to
the next one. File events come from watchdog (inotify on Linux, FSEvents on macOS), so a save
is seen at once, with no polling loop of ours. Ctrl-C stops it.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from lab_runner import labs, learner, stack

SETTLE = 0.05  # seconds: an editor's save can be several events (write, rename); take them as one


class Saved(FileSystemEventHandler):
    """Sets .event when FILE is written, created or renamed into place."""

    def __init__(self, file: Path) -> None:
        self.file = str(file)
        self.event = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("modified", "created", "moved", "closed") and self.file in (
            str(event.src_path), str(getattr(event, "dest_path", "")),
        ):  # fmt: skip
            self.event.set()


def check_and_show(lab: labs.Lab) -> bool:
    """Run LAB on exercise.py and print the report; True when it passes."""
    if sys.stdout.isatty():
        print("\033[2J\033[H", end="")  # a clean screen per save, as rustlings does
    print(f"--- {time.strftime('%H:%M:%S')} checking {lab.exercise_path.relative_to(stack.ROOT)}", flush=True)
    try:
        result = learner.check([lab], [lab.exercise_path])[0]
    except stack.StackError as err:  # the stack may come back: keep watching
        print(f"lab_runner: error: {err}", flush=True)
        return False
    learner.remember(result)
    kept = learner.keep_page(result, own=True, follow=True)  # an open page reloads itself to this run
    print(learner.show(result, own=True, page=learner.page_line(kept, lab)), flush=True)
    print(
        f"\nwatching {lab.exercise_path.relative_to(stack.ROOT)}: save it to check again (Ctrl-C stops)",
        flush=True,
    )
    return result.passed


def main(name: str | None) -> int:
    lab = labs.resolve(name) if name else learner.next_lab()
    if lab is None:
        print("every lab passes: nothing to watch (python -m lab_runner watch LAB watches one anyway)")
        return 0
    observer = Observer()
    observer.start()
    try:
        while lab is not None:
            if not lab.exercise_path.exists():
                raise labs.LabError(f"{lab.exercise_path} is missing (python -m lab_runner reset {lab.key})")
            saved = Saved(lab.exercise_path)
            watched = observer.schedule(saved, str(lab.folder), recursive=False)
            passed = check_and_show(lab)
            while not passed:
                saved.event.wait()
                time.sleep(SETTLE)
                saved.event.clear()
                passed = check_and_show(lab)
            observer.unschedule(watched)
            upcoming = learner.next_lab(lab)
            if upcoming is not None:
                print(
                    f"\n{lab.key} passes. Next: {upcoming.key} · {upcoming.title} (watching it now)\n",
                    flush=True,
                )
            lab = upcoming
        print("\nevery lab passes: well done")
        return 0
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0
    finally:
        observer.stop()
