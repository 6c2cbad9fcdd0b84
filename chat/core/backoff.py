"""Reconnect delays: a pure schedule, no clock.

The first delay is jittered so that many clients cut off together do not come
back together; each later one is ``factor`` times the last, up to ``cap``::

    >>> delays = backoff(random=lambda: 0.5)
    >>> [round(next(delays), 2) for _ in range(4)]
    [1.0, 1.5, 2.25, 3.38]

Start a new generator to reset the schedule after a connection has held.
"""

from collections.abc import Callable, Iterator


def backoff(*, initial: float = 1.0, factor: float = 1.5, cap: float = 30.0,
            random: Callable[[], float]) -> Iterator[float]:
    """Yield reconnect delays in seconds. ``random()`` returns a float in [0, 1)."""
    delay = initial * (0.5 + random())
    while True:
        yield min(delay, cap)
        delay *= factor
