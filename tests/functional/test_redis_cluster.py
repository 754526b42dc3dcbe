"""The API on a Redis Cluster: batches over every shard, and a shard down
(503 for the metrics of that shard, the others served)."""
import uuid

import pytest

from statsvc.storage.redis_layout import ClusterLayout
from tests import redis_cluster as cluster_helpers
from tests import redis_helpers

POINT = [{"timestamp": 1704067200, "value": 1}]


@pytest.fixture
def prefix(redis_cluster):
    prefix = redis_helpers.new_prefix()
    yield prefix
    cluster_helpers.delete_prefix(prefix)


@pytest.fixture
def cluster_app(make_app, prefix):
    return make_app(storage={
        "driver": "redis", "cluster": "true", "url": cluster_helpers.URL,
        "key_prefix": prefix, "socket_timeout": "0.5",
        "socket_connect_timeout": "0.5"})


def metrics_by_shard(app, cluster, prefix, count=30, measures=None):
    """``{primary port: [metric ids]}`` of ``count`` new metrics."""
    by_shard = {}
    for _ in range(count):
        metric = app.post_json("/v1/metric", {"name": "cpu"}).json["id"]
        if measures:
            app.post_json(f"/v1/metric/{metric}/measures", measures,
                          status=202)
        port = cluster.primary_of(ClusterLayout(prefix).meta_key(metric))
        by_shard.setdefault(port, []).append(metric)
    assert len(by_shard) == 3
    return by_shard


def test_a_batch_over_every_shard_is_all_or_nothing(cluster_app,
                                                    redis_cluster, prefix):
    app = cluster_app
    metrics = [m for ms in metrics_by_shard(app, redis_cluster,
                                            prefix).values() for m in ms]
    missing = str(uuid.uuid4())
    reply = app.post_json("/v1/batch/metrics/measures", {
        **{m: POINT for m in metrics}, missing: POINT}, status=400)
    assert reply.json["metrics"] == [missing]
    for metric in metrics:
        assert app.get(f"/v1/metric/{metric}/measures").json == []
    app.post_json("/v1/batch/metrics/measures",
                  {m: POINT for m in metrics}, status=202)
    for metric in metrics:
        assert app.get(f"/v1/metric/{metric}/measures").json == [
            ["2024-01-01T00:00:00+00:00", None, 1.0]]


def test_a_shard_down_answers_503_for_its_metrics_only(cluster_app,
                                                        redis_cluster, prefix):
    app = cluster_app
    by_shard = metrics_by_shard(app, redis_cluster, prefix, measures=POINT)
    down = max(by_shard)
    shard = redis_cluster.shard_of(down)
    redis_cluster.kill(shard)
    try:
        for port, metrics in by_shard.items():
            for metric in metrics:
                url = f"/v1/metric/{metric}/measures"
                if port == down:
                    reply = app.get(url, status=503)
                    assert "Storage is unavailable" in reply.json[
                        "description"]
                    app.post_json(url, POINT, status=503)
                else:
                    assert app.get(url).json == [
                        ["2024-01-01T00:00:00+00:00", None, 1.0]]
                    app.post_json(url, POINT, status=202)
    finally:
        redis_cluster.restart(shard)
