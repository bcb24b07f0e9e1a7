"""Make a synthetic class for `python -m lab_runner grade`: a folder per learner, mirroring labs/.

    .venv/bin/python bench/make_class.py /tmp/class --solved 20 --starters 5 --empty 3 --hostile 2
    time .venv/bin/python -m lab_runner grade /tmp/class --out /tmp/results

Learners who solved every lab hand in each lab's solution.py; starters hand in the shipped
.starter.py (step 1 passes, a later step fails); empty learners hand in nothing (every lab
not attempted); hostile learners hand in, lab by lab, one of HOSTILE's misbehaviours. Names
are shuffled (with --seed) so the hostile learners land anywhere in the order.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab_runner import labs  # noqa: E402

# What a hostile learner hands in: each a whole exercise.py, picked in turn lab by lab.
HOSTILE = {
    "fork_bomb": (  # held to its slot by lab-run's RLIMIT_NPROC
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        time.sleep(0.01)\n"
    ),
    "hang": "import time\ntime.sleep(3600)\n",
    "crash": "import os\nprint('about to crash')\nos.abort()\n",
    "flood": "import sys\nwhile True:\n    sys.stdout.write('x' * 10000 + '\\n')\n",
    "fill_tmp": (
        "import os\n"
        "with open(f'/tmp/fill-{os.getpid()}', 'wb') as f:\n"
        "    try:\n"
        "        while True:\n"
        "            f.write(b'x' * (1 << 20))\n"
        "            f.flush()\n"
        "    except OSError as err:\n"
        "        print('filled /tmp:', err)\n"
    ),
    "daemon": (
        "import os, socket, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:  # a daemon: it outlives the exercise and spams the services\n"
        "        log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
        "        end = time.monotonic() + 600\n"
        "        while time.monotonic() < end:\n"
        "            try:\n"
        "                log.sendto(b'<13>spam ' + b'x' * 200, '/dev/log')\n"
        "                c = socket.create_connection(('chat', 12345), timeout=1)\n"
        "                c.sendall(b'spam spam spam\\n' * 50)\n"
        "                c.close()\n"
        "            except OSError:\n"
        "                time.sleep(0.01)\n"
        "    os._exit(0)\n"
        "time.sleep(0.2)\n"
    ),
    "port_thief": (
        "import socket, time\n"  # holds the server lab's port and the ports other labs use
        "held = []\n"
        "for port in (12345, 4444, 5000, 8080):\n"
        "    try:\n"
        "        held.append(socket.create_server(('0.0.0.0', port)))\n"
        "    except OSError:\n"
        "        pass\n"
        "time.sleep(3600)\n"
    ),
}


def make(out: Path, solved: int, starters: int, empty: int, hostile: int, seed: int) -> dict[str, str]:
    """Write the class into OUT (emptied first); each learner's name and kind."""
    every = labs.discover()
    kinds = ["solved"] * solved + ["starter"] * starters + ["empty"] * empty + ["hostile"] * hostile
    rng = random.Random(seed)
    rng.shuffle(kinds)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    made = {}
    tricks = list(HOSTILE.values())
    for n, kind in enumerate(kinds, 1):
        name = f"learner{n:02d}_{kind}"
        made[name] = kind
        (out / name).mkdir()
        if kind == "empty":
            continue
        for i, lab in enumerate(every):
            folder = out / name / lab.folder.name
            folder.mkdir()
            target = folder / "exercise.py"
            if kind == "solved":
                shutil.copyfile(lab.solution_path, target)
            elif kind == "starter":
                shutil.copyfile(lab.starter_path, target)
            else:
                target.write_text(tricks[(i + n) % len(tricks)])
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the class folder to write (emptied first)")
    parser.add_argument("--solved", type=int, default=20, help="learners with every lab's solution")
    parser.add_argument("--starters", type=int, default=5, help="learners with the shipped starters")
    parser.add_argument("--empty", type=int, default=3, help="learners who handed in nothing")
    parser.add_argument("--hostile", type=int, default=2, help="learners whose exercises misbehave")
    parser.add_argument("--seed", type=int, default=1, help="for the order of the learners")
    args = parser.parse_args()
    made = make(args.out, args.solved, args.starters, args.empty, args.hostile, args.seed)
    print(f"{len(made)} learners in {args.out}")


if __name__ == "__main__":
    main()
