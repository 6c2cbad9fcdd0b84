"""The reconnect schedule."""

from itertools import islice

from chat.core.backoff import backoff


def test_first_delay_is_jittered_then_grows_by_half_up_to_the_cap():
    for r, first in ((0.0, 0.5), (0.5, 1.0), (0.999, 1.499)):
        delays = list(islice(backoff(random=lambda r=r: r), 20))
        assert round(delays[0], 3) == first
        assert all(round(b / a, 6) == 1.5 for a, b in zip(delays, delays[1:], strict=False)
                   if b < 30)
        assert max(delays) == 30.0 and delays[-1] == 30.0


def test_a_new_schedule_starts_again():
    assert next(backoff(random=lambda: 0.5)) == 1.0
