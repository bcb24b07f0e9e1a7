"""python -m lab_runner grade SUBMISSIONS --out RESULTS: every lab of every learner, graded.

SUBMISSIONS/<learner>/ mirrors labs/: SUBMISSIONS/alice/03_dev_log/exercise.py is Alice's lab 3,
and a lab with no file is not attempted. Each file is graded by runs.run_one, the code path
of `python -m lab_runner lab3 --exercise FILE`; RESULTS gets grades.csv, grades.json, junit.xml.

Every run has a sandbox of its own (lab_runner/sandbox.py): its own files, /tmp, processes,
IPC, network namespace (a server lab's port is its own) and limits, and nothing of it outlives
the run. So the runs of the whole class go side by side, --parallel at a time, whatever their
learner. What runs still share is the services (the chat room, Flask, rsyslog) and the CPU: a
run can make a run beside it fail (never pass: every check rests on the run's own trace and
token). misbehaved() says what a run did that can reach its neighbours, and a failure beside
such a run is run again without it (and alone if need be). The last run is the grade, the one
`--exercise` would give that file alone.

The package, in the order a grading goes: submissions.py finds what was handed in, entry.py
holds one learner's lab and what its run did that reaches its neighbours, scheduler.py runs
them side by side (and again), outputs.py writes the results, command.py is the command.
With --swarm, swarm.py fans the class out over a swarm's nodes: swarm_task.py is a grader task
on a node, swarm_wire.py what goes between them, swarm_engine.py the swarm's API, and
swarm_image.py the grader image (docs/scale-out.md).
"""

from lab_runner.grade.command import main

__all__ = ["main"]
