"""Worker processes that never outlive the command that started them.

A pool's workers wait on a queue; when their parent is killed (SIGKILL, OOM killer, a closed
terminal) nobody closes that queue, and they would wait for ever. On Linux the kernel sends
them SIGKILL when the parent dies; elsewhere a watcher thread notices the parent has gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Pool initializer: end this worker when the process that forked it ends."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
