"""What lab-run's mark of the capture's end costs: from sending one mark from each CPU (lab-run's
Capture.mark) until tcpdump has printed them all, N times, in a container of the workbench's
image with the sandbox's capture (tcpdump as lab-run starts it, read from lab-run itself).

    .venv/bin/python bench/capture_mark.py --runs 200

With the stack up (its workbench's image is used). It prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab_runner import stack  # noqa: E402

INSIDE = """
import importlib.machinery, importlib.util, os, socket, statistics, subprocess, sys, time
loader = importlib.machinery.SourceFileLoader("lab_run", "/usr/local/bin/lab-run")
lab_run = importlib.util.module_from_spec(importlib.util.spec_from_loader("lab_run", loader))
loader.exec_module(lab_run)
dump = subprocess.Popen(lab_run.CAPTURE[:1] + ["-Z", "root"] + lab_run.CAPTURE[1:],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(1)  # open
cpus = sorted(os.sched_getaffinity(0))
took = []
for n in range(int(sys.argv[1])):
    began = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, lab_run.MARK_PROTO) as raw:
        for k, cpu in enumerate(cpus):
            os.sched_setaffinity(0, {cpu})
            raw.sendto(bytes(1 + k), ("127.0.0.1", 0))
    os.sched_setaffinity(0, cpus)
    seen = 0
    while seen < len(cpus):
        seen += bool(lab_run.MARK_LINE.match(dump.stdout.readline()))
    took.append((time.perf_counter() - began) * 1000)
dump.kill()
took.sort()
print(f"{len(took)} marks, {len(cpus)} CPUs: from send to printed, median {statistics.median(took):.3f} ms,"
      f" 90th percentile {took[len(took) * 9 // 10]:.3f} ms, most {took[-1]:.3f} ms")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    image = stack.engine().request("GET", f"/containers/{stack.container_id('workbench')}/json")["Image"]
    caps = [f"--cap-add={c}" for c in ("NET_RAW", "SETUID", "SETGID")]
    subprocess.run(
        ["docker", "run", "--rm", "--cap-drop=ALL", *caps, "--entrypoint", "python3", image,
         "-c", INSIDE, str(args.runs)],
        check=True,
    )  # fmt: skip


if __name__ == "__main__":
    main()
