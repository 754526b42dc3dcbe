"""The API while Sentinel fails the master over: 503 with a JSON body, never
a 500 or a hang, then service again on the new master, nothing
acknowledged lost (``min_replicas = 1``).

It runs on the test Sentinel set (:mod:`tests.redis_sentinel`) and restores
it before it ends.
"""
import datetime
import time

from tests import redis_helpers
from tests import redis_sentinel as sentinel_set

TIMEOUT = 0.5
# A request costs at most two socket timeouts (one retry) and a WAIT.
BOUND = 4 * TIMEOUT + 0.2 + 1


def point(t):
    return [{"timestamp": t, "value": float(t)}]


def test_failover_is_503_then_served_again(make_app, redis_sentinel):
    prefix = redis_helpers.new_prefix()
    app = make_app(storage={
        "driver": "redis", "url": sentinel_set.URL, "key_prefix": prefix,
        "socket_timeout": str(TIMEOUT), "socket_connect_timeout": str(TIMEOUT),
        "min_replicas": "1", "wait_timeout_ms": "200"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    measures = f"/v1/metric/{metric}/measures"
    acked = [0]
    app.post_json(measures, point(0), status=202)
    old = redis_sentinel.kill_master()
    try:
        unavailable, began = 0, time.monotonic()
        for t in range(1, 10**6):
            statuses = []
            for send in (lambda: app.post_json(measures, point(t), status="*"),
                         lambda: app.get(measures, status="*")):
                sent = time.monotonic()
                resp = send()
                assert time.monotonic() - sent < BOUND
                assert resp.status_int in (200, 202, 503), resp.text
                if resp.status_int == 503:
                    assert resp.json["code"] == 503
                    assert "Storage is unavailable" in resp.json["description"]
                statuses.append(resp.status_int)
            if statuses[0] == 202:
                acked.append(t)
            if statuses == [202, 200]:
                break
            unavailable += 1
            assert time.monotonic() - began < 60, "no recovery in 60 s"
            time.sleep(0.05)
        assert unavailable, "the failover was never seen"
        assert app.get("/v1/status").json["backend"]["reachable"] is True
        served = [t for t, _, _ in app.get(measures).json]
        assert {datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat()
                for t in acked} <= set(served)
    finally:
        redis_sentinel.restore(old)
        sentinel_set.delete_prefix(prefix)
