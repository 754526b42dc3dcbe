"""With a Redis Cluster shard down, the API answers 503 for the metrics of
that shard and serves the others."""
from statsvc.storage.redis_layout import ClusterLayout
from tests import redis_cluster as cluster_helpers

POINT = [{"timestamp": 1704067200, "value": 1}]


def test_a_shard_down_answers_503_for_its_metrics_only(make_app,
                                                        redis_cluster):
    prefix = cluster_helpers.new_prefix()
    app = make_app(storage={
        "driver": "redis", "cluster": "true", "url": cluster_helpers.URL,
        "key_prefix": prefix, "socket_timeout": "0.5",
        "socket_connect_timeout": "0.5"})
    by_shard = {}
    for _ in range(30):
        metric = app.post_json("/v1/metric", {"name": "cpu"}).json["id"]
        app.post_json(f"/v1/metric/{metric}/measures", POINT, status=202)
        port = redis_cluster.primary_of(ClusterLayout(prefix).meta_key(metric))
        by_shard.setdefault(port, []).append(metric)
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
        cluster_helpers.delete_prefix(prefix)
