"""watch sees a save that inotify cannot: a file changed beneath an overlay mount (as on WSL2's
/mnt/c, NFS or some Docker Desktop mounts, the change does not pass through the mount that is
watched). The overlay is mounted in a user and mount namespace of the test's own (unshare -rm),
so no root and nothing outside the test's temporary folder is touched."""

import shutil
import subprocess
import sys
import textwrap

import pytest

from lab_runner import paths

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys, threading, time
    from pathlib import Path
    from watchdog.observers import Observer
    from lab_runner.watch import Saved

    root = Path(sys.argv[1])
    for name in ("lower", "upper", "work", "merged"):
        (root / name).mkdir()
    options = f"lowerdir={root}/lower,upperdir={root}/upper,workdir={root}/work"
    mounted = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(root / "merged")])
    if mounted.returncode:
        print("SKIP: no overlay mount here"); sys.exit(0)
    watched = root / "merged" / "exercise.py"
    watched.write_text("print('one')\\n")  # copied up: the file now lives in upper/
    saved = Saved(watched)
    observer = Observer()
    observer.schedule(saved, str(watched.parent))
    observer.start()
    time.sleep(0.2)
    (root / "upper" / "exercise.py").write_text("print('two, saved')\\n")  # beneath the mount
    print("inotify saw it:", saved.event.wait(1.0))
    seen = threading.Event()
    threading.Thread(target=lambda: (saved.wait(poll=0.1), seen.set()), daemon=True).start()
    print("watch saw it:", seen.wait(3.0))
    observer.stop()
    """
)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) for a mount namespace")
def test_a_save_inotify_never_sees_is_seen_by_the_stat_fallback(tmp_path):
    done = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True, text=True, timeout=30, cwd=paths.ROOT,
    )  # fmt: skip
    if done.returncode and "unshare" in done.stderr:
        pytest.skip(f"no user namespaces here: {done.stderr.strip()}")
    if done.stdout.startswith("SKIP"):
        pytest.skip(done.stdout.strip())
    assert done.returncode == 0, done.stdout + done.stderr
    # inotify is blind to it (so the test is honest), and watch still notices the save
    assert "inotify saw it: False" in done.stdout, done.stdout
    assert "watch saw it: True" in done.stdout, done.stdout


def test_a_save_inotify_sees_is_seen_at_once(tmp_path):
    from watchdog.observers import Observer

    from lab_runner.watch import Saved

    watched = tmp_path / "exercise.py"
    watched.write_text("one\n")
    saved = Saved(watched)
    observer = Observer()
    observer.schedule(saved, str(tmp_path))
    observer.start()
    try:
        watched.write_text("two\n")
        assert saved.event.wait(2.0)
    finally:
        observer.stop()
