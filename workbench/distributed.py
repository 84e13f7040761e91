"""Handing work to Dask: a run's notebooks on a pool of worker processes, and per-series work inside notebooks.

Two kinds of work go to Dask:

* **Notebooks.** ``workbench run --parallel N`` starts a :class:`distributed.LocalCluster` of N worker
  processes on loopback; ``--scheduler ADDRESS`` connects to a running Dask scheduler instead. Each
  notebook execution (of one run, or of every member of a ``matrix:``) is one task. A task asks for the
  worker resource ``notebook`` (one per worker), so a worker runs one notebook at a time and keeps its
  other threads for the per-series tasks that notebook hands out. Workers of a remote cluster must be
  started with that resource (``dask worker ADDRESS --nthreads 2 --resources notebook=1``) and must see
  the repository, the data and the output folder at the same paths.
* **Per-series forecasting.** When the run was given a scheduler, its notebooks find its address in
  ``WORKBENCH_DASK_SCHEDULER`` and :func:`map_series` maps per-series fits (Prophet, backtests) over the
  cluster. Without one, the same function runs them one after another in the notebook.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from workbench.errors import ParamsError

SCHEDULER_ENV = "WORKBENCH_DASK_SCHEDULER"
#: The worker resource a notebook task takes (one per worker).
NOTEBOOK_RESOURCE = "notebook"
#: Threads per local worker: one runs the notebook, one serves per-series tasks.
THREADS_PER_WORKER = 2


@contextlib.contextmanager
def cluster(parallel: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client for the run: a local cluster of ``parallel`` workers, the ``scheduler`` given, or None.

    Raises
    ------
    ParamsError
        A scheduler that cannot be reached, or one with no worker offering the ``notebook`` resource.
    """
    if parallel is not None and scheduler is not None:
        raise ParamsError("--parallel and --scheduler: give one. --parallel N starts N local workers; "
                          "--scheduler ADDRESS uses the workers of a running Dask cluster.")
    if parallel is None and scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise ParamsError(f"--scheduler {scheduler}: cannot connect ({exc}). Fix: start the scheduler "
                              "(`dask scheduler`) and its workers, or check the address.") from None
        try:
            check_workers(client, scheduler)
            yield client
        finally:
            client.close()
        return
    if parallel < 1:
        raise ParamsError(f"--parallel {parallel}: expected a number of worker processes, 1 or more.")
    with LocalCluster(n_workers=parallel, threads_per_worker=THREADS_PER_WORKER, processes=True,
                      host="127.0.0.1", dashboard_address=":0", resources={NOTEBOOK_RESOURCE: 1},
                      silence_logs=50) as local, Client(local) as client:
        yield client


def check_workers(client, address: str) -> None:
    """Stop with a clear error if no worker of the cluster can take a notebook."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    able = [w for w in workers.values() if w.get("resources", {}).get(NOTEBOOK_RESOURCE, 0) >= 1]
    if not able:
        raise ParamsError(
            f"--scheduler {address}: {len(workers)} worker(s), none with the '{NOTEBOOK_RESOURCE}' resource. Fix: start "
            f"workers with `dask worker {address} --nthreads {THREADS_PER_WORKER} --resources {NOTEBOOK_RESOURCE}=1`.")


def workers(client) -> int:
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


_CLIENT = None


def series_client():
    """The client for per-series work inside a notebook, if the run was given a scheduler; else None."""
    global _CLIENT
    address = os.environ.get(SCHEDULER_ENV)
    if not address:
        return None
    if _CLIENT is None or _CLIENT.status != "running":
        from distributed import Client

        _CLIENT = Client(address, timeout="20s", set_as_default=False)
    return _CLIENT


def map_series(fn: Callable, items: Sequence, progress: Callable[[int, int], None] | None = None) -> list:
    """``[fn(x) for x in items]``, on the run's Dask cluster when it has one (results in the order of ``items``)."""
    client = series_client()
    if client is None:
        out = []
        for k, item in enumerate(items, 1):
            out.append(fn(item))
            if progress is not None:
                progress(k, len(items))
        return out
    futures = client.map(fn, list(items), pure=False)
    out = []
    for k, fut in enumerate(futures, 1):  # in order: the progress lags the fastest, never overstates
        out.append(fut.result())
        if progress is not None:
            progress(k, len(items))
    return out
