"""python -m lab_runner watch [LAB]: check the lab again each time the learner saves exercise.py.

Like rustlings' watch: it starts at LAB (default: the first lab not passed yet), shows the
same report as `python -m lab_runner LAB` on every save, and once the lab passes, moves on to
the next one. Once every lab passes it stays open on the last one it checked: a learner keeps
experimenting. Ctrl-C stops it.

File events come from watchdog (inotify on Linux, FSEvents on macOS), so a save is usually
seen at once. Where inotify never sees a save (WSL2's /mnt/c, NFS, some Docker Desktop mounts:
the file changes beneath the kernel's view of that mount), a stat of the file every POLL
seconds sees it anyway; and where no inotify observer can start at all, watchdog's polling one
does the watching.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from lab_runner import labs, learner, stack
from lab_runner.session import Session

SETTLE = 0.05  # seconds: an editor's save can be several events (write, rename); take them as one
POLL = 1.0  # seconds between two stats of the file: the fallback where no file event comes


class Saved(FileSystemEventHandler):
    """Sets .event when FILE is written, created or renamed into place; .wait() also notices a
    save no event told of, by the file's stat (a stat a second costs nothing)."""

    def __init__(self, file: Path) -> None:
        self.file = str(file)
        self.event = threading.Event()
        self.seen = self.stamp()

    def stamp(self) -> tuple[int, int, int] | None:
        """What changes when the file is saved: its mtime, size and inode (an editor's rename)."""
        try:
            st = os.stat(self.file)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def wait(self, poll: float = POLL) -> None:
        """Until the file is saved: an event at once, or, with none, a changed stat within POLL s."""
        while not self.event.wait(poll) and self.stamp() == self.seen:
            pass
        time.sleep(SETTLE)
        self.event.clear()
        self.seen = self.stamp()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("modified", "created", "moved", "closed") and self.file in (
            str(event.src_path),
            str(getattr(event, "dest_path", "")),
        ):
            self.event.set()


def check_and_show(lab: labs.Lab, session: Session) -> bool:
    """Run LAB on exercise.py and print the report; True when it passes."""
    if sys.stdout.isatty():
        print("\033[2J\033[H", end="")  # a clean screen per save, as rustlings does
    print(f"--- {time.strftime('%H:%M:%S')} checking {lab.exercise_path.relative_to(stack.ROOT)}", flush=True)
    try:
        result = learner.check([lab], [lab.exercise_path], session)[0]
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


def started_observer() -> BaseObserver:
    """inotify's observer (or the platform's), or watchdog's polling one where it cannot start
    (no inotify, or its limit of instances reached)."""
    try:
        observer = Observer()
        observer.start()
    except OSError as err:
        print(
            f"file events are not available here ({err.strerror or err}): checking the file for saves instead"
        )
        observer = PollingObserver(timeout=POLL)
        observer.start()
    return observer


def main(name: str | None, session: Session) -> int:
    lab = labs.resolve(name) if name else learner.next_lab()
    done = lab is None  # every lab passes already: watch the last one, for experiments
    if lab is None:
        lab = labs.discover()[-1]
        print(f"every lab passes: watching {lab.key} for your experiments (python -m lab_runner watch LAB)")
    observer = started_observer()
    try:
        while True:
            saved = Saved(learner.own_file(lab))
            watched = observer.schedule(saved, str(lab.folder), recursive=False)
            passed = check_and_show(lab, session)
            while not passed or done:  # every lab passes: keep checking each save, stay open
                saved.wait()
                passed = check_and_show(lab, session)
            observer.unschedule(watched)
            upcoming = learner.next_lab(lab)
            if upcoming is None:
                print(f"\nevery lab passes: well done. Still watching {lab.key}: save it to check again\n")
                done = True
                continue
            print(
                f"\n{lab.key} passes. Next: {upcoming.key} · {upcoming.title} (watching it now)\n", flush=True
            )
            lab = upcoming
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0
    finally:
        observer.stop()
