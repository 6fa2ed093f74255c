"""A CPU hog for the noise tests: a busy-loop child pinned to one CPU, started by
the test and killed by it (also if the test fails), so a run has foreign CPU."""
import atexit
import os
import signal


def start_hog(cpu):
    """Forks a child that spins on cpu until killed; returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {cpu})
            while True:
                pass
        finally:
            os._exit(0)
    atexit.register(stop_hog, pid)
    return pid


def stop_hog(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
