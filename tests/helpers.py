"""Helpers the tests share: running calls at the same moment, waiting for a result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_together(
    calls: Iterable[Callable[[], object]],
    *,
    expected: tuple[type[BaseException], ...] = (),
    timeout: float | None = None,
) -> list[BaseException]:
    """Run the calls in threads released at the same moment; return what they raised.

    Each thread closes its own database connection when done. Exceptions of the
    `expected` kinds (a clean refusal, say) are not reported; `timeout` bounds the wait
    for each thread.
    """
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except expected:
            pass
        except BaseException as error:  # noqa: BLE001 — reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors


def wait_for(predicate: Callable[[], T], *, timeout: float = 20.0, interval: float = 0.1) -> T:
    """Poll `predicate` until it returns something truthy, and return that; after
    `timeout` seconds return its last, falsy answer (so `assert wait_for(...), why`
    reads as the expectation it is). The generous timeouts are only reached on failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
