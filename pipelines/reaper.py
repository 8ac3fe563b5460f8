"""Stop local Beam worker processes when `curate run` dies.

In multi-process mode Beam's local runner starts one `sdk_worker_main` process per worker (through
a shell) and stops them when the pipeline ends. Killed launchers (SIGKILL, OOM killer) cannot
clean up, and their workers were left running. `start` launches a small watcher process that
notes the launcher's descendants every half second and, once the launcher is gone, terminates
the ones it saw (checking each process's start time, so that a reused pid is never touched).
Linux only (it reads /proc); elsewhere it does nothing. A worker started less than half a second
before the launcher died can escape it.

    python -m pipelines.reaper PID   # the watcher itself
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

POLL_SECONDS = 0.5
_PROC = "/proc"


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a process, or None when it is gone."""
    try:
        with open(f"{_PROC}/{pid}/stat", encoding="ascii", errors="replace") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every live descendant of `root`: pid -> start time."""
    children: dict[int, list[tuple[int, str]]] = {}
    for name in os.listdir(_PROC):
        if name.isdigit():
            found = _stat(int(name))
            if found is not None:
                children.setdefault(found[0], []).append((int(name), found[1]))
    result: dict[int, str] = {}
    stack = [root]
    while stack:
        for pid, started in children.get(stack.pop(), []):
            if pid not in result:
                result[pid] = started
                stack.append(pid)
    return result


def _alive(pid: int, started: str) -> bool:
    found = _stat(pid)
    return found is not None and found[1] == started


def watch(launcher: int) -> None:
    me = os.getpid()
    seen: dict[int, str] = {}
    launcher_stat = _stat(launcher)
    while launcher_stat is not None and _alive(launcher, launcher_stat[1]):
        seen.update({p: s for p, s in descendants(launcher).items() if p != me})
        seen = {p: s for p, s in seen.items() if _alive(p, s)}
        time.sleep(POLL_SECONDS)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        survivors = {p: s for p, s in seen.items() if _alive(p, s)}
        for pid in survivors:
            try:
                os.kill(pid, sig)
            except OSError:
                continue
        if not survivors:
            return
        time.sleep(2.0)


def start() -> subprocess.Popen[bytes] | None:
    """Watch this process from a separate one; None where /proc is not available."""
    if not os.path.isdir(f"{_PROC}/{os.getpid()}"):
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.reaper", str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        # Its own session: a Ctrl-C meant for the build does not stop the watcher first.
        start_new_session=True,
    )


if __name__ == "__main__":
    watch(int(sys.argv[1]))
