"""Background polling, so that no widget callback waits for a job.

A callback submits work to the server, starts a :class:`Poller` and returns at once. The
poller calls ``step()`` on a daemon thread until it reports the work finished. Steps may only
assign widget traits and figure data (Plotly: inside ``fig.batch_update()``): printing or
``Output`` capture from a thread ends up in whichever cell happens to be running.
"""
from __future__ import annotations

import threading
from typing import Callable


class Poller:
    """Call ``step()`` every ``interval`` seconds on a daemon thread until it returns True.

    Parameters
    ----------
    step : callable
        ``step() -> bool``; True means finished and stops the poller.
    interval : float
        Seconds between two steps.
    on_error : callable, optional
        ``on_error(exception)`` when a step raises; the poller then stops (a broken step
        repeated every half second would only repeat the same message).
    """

    def __init__(self, step: Callable[[], bool], interval: float = 0.5,
                 on_error: Callable[[BaseException], None] | None = None):
        self.step = step
        self.interval = interval
        self.on_error = on_error
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Poller":
        self._thread = threading.Thread(target=self._run, name="h2odash-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to stop after its current step."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; return True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.step():
                    return
            except Exception as exc:  # a thread has nobody to raise to: the panel shows it
                if self.on_error is not None:
                    self.on_error(exc)
                return
            self._stop.wait(self.interval)


def run_in_background(work: Callable[[], object], on_error: Callable[[BaseException], None] | None = None) -> Poller:
    """Run ``work()`` once on a daemon thread (a one-step :class:`Poller`)."""
    def once() -> bool:
        work()
        return True
    return Poller(once, on_error=on_error).start()
