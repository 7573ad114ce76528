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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Pool initializer: end this worker when ``parent`` (the process that started the pool,
    passed as ``initargs=(os.getpid(),)`` so that a parent killed before this runs is seen)
    ends."""
    parent = os.getppid() if parent is None else parent
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


def worker_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    *,
    fork: bool = False,
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that end with this one.

    Spawned by default: a fork copies whatever threads and locks this process holds (the
    semantic model's OpenMP pool among them) into a child that can then hang on them; a fresh
    interpreter holds nothing it did not open itself, but costs a second or two of CPU to
    import everything again. ``fork`` (where the platform has it) is for a caller that holds
    no such thing: no model loaded, no thread started, and no database connection open (a
    child closing an inherited SQLite descriptor drops this process's locks).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if fork and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_worker(
    parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)
