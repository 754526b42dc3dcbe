"""Archives through the API: queryable in every granularity as soon as the
POST is acknowledged, too-old points ignored, and a store from before
rollups upgraded on first read."""
import datetime

import pytest

from tests.fixtures import before_rollups as data
from tests.unit.storage.test_upgrade_to_rollups import expected, old_store


def _iso(ns):
    return datetime.datetime.fromtimestamp(
        ns / 1e9, datetime.timezone.utc).isoformat()


def test_every_granularity_at_once_and_too_old_ignored(app):
    app.post_json("/v1/archive_policy", {
        "name": "p", "back_window": 1, "aggregation_methods": ["sum", "50pct"],
        "definition": [{"granularity": 1, "points": 100},
                       {"granularity": 60, "points": 10}]})
    metric = app.post_json("/v1/metric", {"archive_policy_name": "p"}).json
    url = f"/v1/metric/{metric['id']}/measures"
    app.post_json(url, [{"timestamp": t, "value": float(t)}
                        for t in (120, 121, 179, 185)])
    assert app.get(url, {"aggregation": "sum"}).json == [
        ["1970-01-01T00:02:00+00:00", 60.0, 420.0],
        ["1970-01-01T00:03:00+00:00", 60.0, 185.0],
        ["1970-01-01T00:02:00+00:00", 1.0, 120.0],
        ["1970-01-01T00:02:01+00:00", 1.0, 121.0],
        ["1970-01-01T00:02:59+00:00", 1.0, 179.0],
        ["1970-01-01T00:03:05+00:00", 1.0, 185.0]]
    # back_window 1: the minute before the newest one still changes; the
    # one before that is final, and a point in it is ignored (202).
    app.post_json(url, [{"timestamp": 59, "value": 1000.0},
                        {"timestamp": 122, "value": 1.0}])
    got = app.get(url, {"aggregation": "50pct", "granularity": 60}).json
    assert got == [["1970-01-01T00:02:00+00:00", 60.0, 120.5],
                   ["1970-01-01T00:03:00+00:00", 60.0, 185.0]]
    # stat= runs on the archive the query selects.
    got = app.get(url, {"aggregation": "sum", "granularity": 60,
                        "stat": "moving-average", "window": 2}).json
    assert [v for _, _, v in got] == [pytest.approx((421.0 + 185.0) / 2)]


def test_store_from_before_rollups_is_upgraded_on_first_read(
        make_app, tmp_path):
    old_store({"driver": "sqlite", "data_dir": str(tmp_path / "data")})
    app = make_app()
    for metric in data.METRICS:
        policy = data.POLICIES[metric["archive_policy_name"]]
        for item in policy["definition"]:
            got = app.get(f"/v1/metric/{metric['id']}/measures", {
                "granularity": item["granularity"], "aggregation": "max"}).json
            ts, values = expected(metric, item, "max")
            assert got == [[_iso(t), item["granularity"], v]
                           for t, v in zip(ts.tolist(), values.tolist())]
        # And it rolls up from then on.
        newest = int(data.points(metric["id"])[0][-1]) // 10**9
        app.post_json(f"/v1/metric/{metric['id']}/measures",
                      [{"timestamp": newest + 1, "value": 10**6}])
        got = app.get(f"/v1/metric/{metric['id']}/measures",
                      {"aggregation": "max"}).json
        assert max(v for _, _, v in got) == 10**6
        assert "rollup" not in app.get(f"/v1/metric/{metric['id']}").json
