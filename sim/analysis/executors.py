"""Where sweep points run: in this process (default) or on a Dask distributed cluster.

An executor maps a function over argument tuples and returns the results in input order,
reporting progress as points finish. Each point is a pure function of its arguments, so the
numbers do not depend on the executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sim.core.errors import SwingometerError


class Executor(Protocol):
    """Anything that maps a function over argument tuples, in order."""

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]],
            progress: Callable[[int], object] | None = None) -> list[Any]:  # fmt: skip
        """Return ``[fn(*a) for a in args]``."""
        ...


class LocalExecutor:
    """Run points one after another in this process (each already uses every core via numba)."""

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]],
            progress: Callable[[int], object] | None = None) -> list[Any]:  # fmt: skip
        """Return ``[fn(*a) for a in args]``, calling ``progress(1)`` after each."""
        out = []
        for a in args:
            out.append(fn(*a))
            if progress is not None:
                progress(1)
        return out


class DaskExecutor:
    """Run points on a Dask distributed cluster (``tcp://HOST:PORT``).

    Workers need this package installed and the data available to them (a shared data folder
    passed as ``data_dir``, or network access to download it into their own cache).
    """

    def __init__(self, scheduler: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - dask is a dependency
            raise SwingometerError("dask.distributed is not installed; run 'uv sync'") from None
        probe_scheduler(scheduler, timeout)
        try:
            self.client = Client(scheduler, timeout=timeout)
        except OSError as exc:
            raise SwingometerError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}); check the address, "
                "or leave out --scheduler to run locally"
            ) from None

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]],
            progress: Callable[[int], object] | None = None) -> list[Any]:  # fmt: skip
        """Submit every point, gather the results in input order."""
        from distributed import as_completed

        futures = [self.client.submit(fn, *a, pure=False) for a in args]
        for _ in as_completed(futures):
            if progress is not None:
                progress(1)
        return self.client.gather(futures)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()


def probe_scheduler(address: str, timeout: float) -> None:
    """Check that ``address`` answers as a Dask scheduler within ``timeout`` seconds.

    ``Client``'s own timeout covers the connection, not the handshake after it, so a service that
    accepts and stays silent would hang it: ask for the scheduler's identity first, with a deadline.
    """
    from distributed.core import rpc

    async def identity() -> Any:
        remote = rpc(address, timeout=timeout)
        try:
            return await asyncio.wait_for(remote.identity(), timeout)
        finally:
            await remote.close_rpc()

    try:
        asyncio.get_running_loop()
        return  # inside an event loop (a notebook): asyncio.run cannot nest; rely on Client's timeout
    except RuntimeError:
        pass
    try:
        answer = asyncio.run(identity())
    except (TimeoutError, OSError, ValueError, TypeError) as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        raise SwingometerError(
            f"cannot reach the Dask scheduler at {address}: it did not answer as a Dask scheduler within "
            f"{timeout:g} s ({reason}); check the address and that a scheduler runs there, or leave out "
            "--scheduler to run locally"
        ) from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise SwingometerError(f"{address} answered but is not a Dask scheduler; check the address")
