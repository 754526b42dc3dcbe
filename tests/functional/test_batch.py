import uuid


def _values(app, metric):
    return [p[2] for p in app.get(f"/v1/metric/{metric}/measures").json]


def test_batch_writes_every_metric(app):
    a = app.post_json("/v1/metric", {}).json["id"]
    b = app.post_json("/v1/metric", {}).json["id"]
    app.post_json("/v1/batch/metrics/measures", {
        a: [{"timestamp": 1, "value": 1}, {"timestamp": 2, "value": 2}],
        b: [{"timestamp": 1, "value": 10}],
    }, status=202)
    assert _values(app, a) == [1.0, 2.0]
    assert _values(app, b) == [10.0]


def test_batch_with_unknown_metric_writes_nothing(app, metric):
    missing = sorted(str(uuid.uuid4()) for _ in range(2))
    resp = app.post_json("/v1/batch/metrics/measures", {
        missing[1]: [{"timestamp": 1, "value": 1}],
        metric: [{"timestamp": 1, "value": 1}],
        missing[0]: [{"timestamp": 1, "value": 1}],
    }, status=400)
    # Every unknown one, sorted, in Gnocchi's words.
    assert resp.json["description"] == f"Unknown metrics: {', '.join(missing)}"
    assert resp.json["metrics"] == missing
    assert _values(app, metric) == []


def test_batch_with_one_bad_measure_writes_nothing(app, metric):
    other = app.post_json("/v1/metric", {}).json["id"]
    resp = app.post_json("/v1/batch/metrics/measures", {
        metric: [{"timestamp": 1, "value": 1}],
        other: [{"timestamp": 1, "value": 1}, {"timestamp": 2, "value": "x"}],
    }, status=400)
    assert f"body['{other}'][1].value" in resp.json["description"]
    assert _values(app, metric) == [] and _values(app, other) == []


def test_batch_rejects_non_uuid_keys_and_non_objects(app):
    resp = app.post_json("/v1/batch/metrics/measures", {"cpu": []},
                         status=400)
    assert "'cpu'" in resp.json["description"]
    app.post_json("/v1/batch/metrics/measures", [1], status=400)


def test_batch_total_over_limit_is_400(make_app):
    app = make_app(api={"max_measures_per_request": "2"})
    a = app.post_json("/v1/metric", {}).json["id"]
    b = app.post_json("/v1/metric", {}).json["id"]
    resp = app.post_json("/v1/batch/metrics/measures", {
        a: [{"timestamp": 1, "value": 1}, {"timestamp": 2, "value": 1}],
        b: [{"timestamp": 1, "value": 1}],
    }, status=400)
    assert "3 measures exceed the limit of 2" in resp.json["description"]
