"""Ctrl-C around compiled code: held while a kernel runs, delivered when it returns."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) while a compiled kernel runs; it is delivered when the kernel returns.

    A signal arriving inside numba's parallel region could crash the process (a segmentation
    fault, seen here); blocked, it waits until the batch ends and then raises KeyboardInterrupt
    as usual. Threads the kernel starts while it is blocked inherit the block.
    """
    block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
