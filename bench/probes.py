"""Look at a service's main process from inside its container: CPU used over a while, and memory."""

from __future__ import annotations

import testinfra

PROBE = """
import os, sys, time
name, seconds = sys.argv[1].encode(), float(sys.argv[2])
def cmdline(p):
    return open(f'/proc/{p}/cmdline', 'rb').read()
# Not this probe nor its shell, which name the program too, and not PID 1: with `init: true`
# that is docker-init, whose command line holds the program's.
skip = (str(os.getpid()), str(os.getppid()), '1')
pid = next(p for p in os.listdir('/proc') if p.isdigit() and p not in skip and name in cmdline(p))
def ticks():
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])
a = ticks(); time.sleep(seconds); b = ticks()
rss = next(int(l.split()[1]) for l in open(f'/proc/{pid}/status') if l.startswith('VmRSS:'))
print((b - a) / os.sysconf('SC_CLK_TCK'), rss)
"""


def usage(host: testinfra.host.Host, cmdline_part: str, seconds: float = 2.0) -> tuple[float, int]:
    """(CPU seconds the process used during SECONDS, its resident memory in KiB now)."""
    out = host.check_output("python3 -c %s %s %s", PROBE, cmdline_part, str(seconds))
    cpu, rss = out.split()
    return float(cpu), int(rss)
