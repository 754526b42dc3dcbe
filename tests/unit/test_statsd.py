"""statsd messages and their aggregation, as Gnocchi's statsd treats them."""
import pytest

from statsvc.ingest import statsd


def parsed(datagram):
    return [p for _, p in statsd.parse(datagram)]


def test_messages_of_a_datagram_are_parsed():
    assert parsed(b"hits:1|c\nhits:2|c|@0.5\n\nload:0.7|g\nreq:12.5|ms") == [
        ("hits", "c", 1.0, None), ("hits", "c", 2.0, 0.5),
        ("load", "g", 0.7, None), ("req", "ms", 12.5, None)]


@pytest.mark.parametrize("message,reason", [
    (b"hits", "expected <name>:<value>|<type>"),
    (b"hits:1", "expected <name>:<value>|<type>"),
    (b":1|c", "expected <name>:<value>"),
    (b"hits:x|c", "is not a number"),
    (b"hits:nan|c", "not finite"),
    (b"users:3|s", "unknown type 's'"),
    (b"a/b:1|c", "'/' is not supported"),
    (b"load:1|g|@0.5", "for counters"),
    (b"hits:1|c|0.5", "must be @<rate>"),
    (b"hits:1|c|@0", "must be @<rate>"),
    (b"hits:1|c|@2", "must be @<rate>"),
    (b"\xff:1|c", "not UTF-8"),
])
def test_bad_messages_say_why(message, reason):
    (result,) = parsed(message)
    assert isinstance(result, statsd.MessageError)
    assert reason in str(result)


def test_one_bad_message_does_not_spoil_the_others():
    results = parsed(b"a:1|c\nb:x|c\nc:2|g")
    assert results[0] == ("a", "c", 1.0, None)
    assert isinstance(results[1], statsd.MessageError)
    assert results[2] == ("c", "g", 2.0, None)


def test_counters_sum_scaled_gauges_and_timers_keep_the_last():
    agg = statsd.Aggregator()
    for (name, kind, value, sampling), now in zip(
            parsed(b"hits:1|c\nhits:2|c|@0.5\nload:1|g\nload:3|g\n"
                   b"req:10|ms\nreq:20|ms"), range(100, 106)):
        agg.add(name, kind, value, sampling, now)
    assert agg.flush() == {"hits|c": (101, 5.0), "load|g": (103, 3.0),
                           "req|ms": (105, 20.0)}
    # Each interval starts afresh: a counter counts per interval.
    assert agg.flush() == {}
    agg.add("hits", "c", 1.0, None, 200)
    assert agg.flush() == {"hits|c": (200, 1.0)}
