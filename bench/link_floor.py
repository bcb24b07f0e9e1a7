"""Lab 15 against its floor, for bench/run.py: the same solution by hand, through a lossy link
made by hand. The floor is what a learner (or a teacher) would type without lab_runner: one
`docker run` of the workbench image with NET_ADMIN, which sets the same nft drops on its
loopback, starts a bare ACK peer on 127.0.0.1:9915 and runs solution.py (no trace, no checks,
no capture). Its seconds are mostly the solution's own: its timeouts for the lost ACKs."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

RULES = """table netdev link {
 chain egress {
  type filter hook egress device "lo" priority filter;
  udp dport 9915 numgen random mod 100 < 30 drop
  udp sport 9915 numgen random mod 100 < 30 drop
 }
}
"""
PEER = r"""
import re, runpy, socket, threading
peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
peer.bind(("127.0.0.1", 9915))
def serve():
    while True:
        data, addr = peer.recvfrom(65536)
        if found := re.match(rb"\s*(\d{1,9})", data):
            peer.sendto(b"ACK " + found.group(1), addr)
threading.Thread(target=serve, daemon=True).start()
runpy.run_path("/labs/15_loss/solution.py", run_name="__main__")
"""


def workbench_image() -> str:
    compose = ["docker", "compose", "-f", str(ROOT / "compose.yaml")]
    cid = subprocess.run([*compose, "ps", "-q", "workbench"], capture_output=True, text=True, check=True)
    info = subprocess.run(
        ["docker", "inspect", cid.stdout.strip()], capture_output=True, text=True, check=True
    )
    return json.loads(info.stdout)[0]["Image"]


def floor(image: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["docker", "run", "--rm", "-i", "--network", "none", "--cap-add", "NET_ADMIN",
         "-v", f"{ROOT / 'labs'}:/labs:ro", image, "sh", "-c", 'nft -f - && exec python3 -c "$0"', PEER],
        input=RULES.encode(), capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return time.perf_counter() - started


def lab15_and_floor(runs: int) -> list[tuple[str, str]]:
    image, ours, floors = workbench_image(), [], []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [PY, "-m", "lab_runner", "lab15", "--solution"], cwd=ROOT, capture_output=True, check=True
        )
        ours.append(time.perf_counter() - started)
        floors.append(floor(image))
    one, f = statistics.median(ours), statistics.median(floors)
    name = "lab_runner lab15 --solution / its floor (docker run: nft, peer)"
    return [(name, f"{one:.2f} s / {f:.2f} s = {one / f:.2f}x")]
