"""POST /v1/aggregates through the real app: results checked against
numpy over the points pushed, Gnocchi's shapes and errors, the bounds."""
import base64
import urllib.parse

import numpy as np
import pytest

MINUTE = 60


def user(name):
    token = base64.b64encode(f"{name}:".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def policy(app):
    app.post_json("/v1/archive_policy", {
        "name": "pair", "aggregation_methods": ["mean", "max", "rate:mean"],
        "definition": [{"granularity": "1 second"},
                       {"granularity": "1 minute"}]})
    return "pair"


def new_metric(app, policy, points, headers=None):
    metric = app.post_json("/v1/metric", {"archive_policy_name": policy},
                           headers=headers).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures",
                  [{"timestamp": t, "value": v} for t, v in points],
                  headers=headers)
    return metric


RNG = np.random.default_rng(7)
TIMES = np.sort(RNG.choice(np.arange(0, 600), 40, replace=False)) + 1.7e9


def minute_means(points):
    times = np.array([t for t, _ in points])
    values = np.array([v for _, v in points])
    buckets = times - times % MINUTE
    return {b: values[buckets == b].mean() for b in np.unique(buckets)}


@pytest.fixture
def pair(app, policy):
    first = [(float(t), float(v)) for t, v in zip(TIMES, RNG.normal(
        10, 3, len(TIMES)))]
    second = [(float(t), float(v)) for t, v in zip(TIMES, RNG.normal(
        -2, 1, len(TIMES)))]
    return (new_metric(app, policy, first), first), \
        (new_metric(app, policy, second), second)


def aggregates(app, operations, status=200, headers=None, **query):
    url = "/v1/aggregates?" + urllib.parse.urlencode(query)
    return app.post_json(url, {"operations": operations}, status=status,
                         headers=headers).json


def values_at(measures, granularity):
    return {p[0]: p[2] for p in measures if p[1] == granularity}


def iso(seconds):
    return np.datetime64(int(seconds), "s").astype(
        "datetime64[s]").item().isoformat() + "+00:00"


def test_aggregate_mean_is_the_mean_of_the_metrics(app, pair):
    (m1, p1), (m2, p2) = pair
    got = aggregates(app, f"(aggregate mean (metric ({m1} mean) ({m2} mean)))",
                     granularity="60")["measures"]["aggregated"]
    means1, means2 = minute_means(p1), minute_means(p2)
    assert len(got) == len(means1)
    for stamp, granularity, value in got:
        assert granularity == 60.0
        bucket = np.datetime64(stamp[:19]).astype("int64")
        assert value == pytest.approx((means1[bucket] + means2[bucket]) / 2)


def test_string_and_json_forms_agree_and_keep_metric_shape(app, pair):
    (m1, _), (m2, _) = pair
    as_json = aggregates(app, ["*", ["metric", [m1, "mean"], [m2, "max"]],
                               -2])
    as_string = aggregates(app, f"(* (metric ({m1} mean) ({m2} max)) -2)")
    assert as_json == as_string
    plain = aggregates(app, ["metric", [m1, "mean"], [m2, "max"]])
    assert set(plain["measures"]) == {m1, m2}
    doubled = as_json["measures"][m1]["mean"]
    assert [p[2] for p in doubled] == \
        [-2 * p[2] for p in plain["measures"][m1]["mean"]]
    assert list(as_json["measures"][m2]) == ["max"]


def test_arithmetic_between_metrics_and_functions(app, pair):
    (m1, _), (m2, _) = pair
    plain = aggregates(app, ["metric", [m1, "mean"], [m2, "mean"]],
                       granularity="1")["measures"]
    a = np.array([p[2] for p in plain[m1]["mean"]])
    b = np.array([p[2] for p in plain[m2]["mean"]])
    cases = {
        f"(- (metric {m1} mean) (metric {m2} mean))": a - b,
        f"(** (abs (metric {m1} mean)) 0.5)": np.abs(a) ** 0.5,
        f"(% (metric {m1} mean) 3)": np.mod(a, 3),
        f"(clip (metric {m1} mean) 8 12)": np.clip(a, 8, 12),
        f"(clip_min (floor (metric {m1} mean)) 9)": np.clip(np.floor(a), 9,
                                                           None),
        f"(neg (cos (metric {m1} mean)))": -np.cos(a),
        f"(aggregate max (metric ({m1} mean) ({m2} mean)))": np.fmax(a, b),
    }
    for operations, expected in cases.items():
        measures = aggregates(app, operations, granularity="1")["measures"]
        series = measures.get("aggregated") or measures[m1]["mean"]
        assert [p[2] for p in series] == pytest.approx(list(expected)), \
            operations


def test_rolling_resample_rateofchange(app, pair):
    (m1, p1), _ = pair
    seconds = aggregates(app, ["metric", m1, "mean"], granularity="1")[
        "measures"][m1]["mean"]
    a = np.array([p[2] for p in seconds])
    rolled = aggregates(app, f"(rolling mean 3 (metric {m1} mean))",
                        granularity="1")["measures"][m1]["mean"]
    assert [p[2] for p in rolled] == pytest.approx(
        list(np.convolve(a, np.ones(3) / 3, "valid")))
    assert [p[0] for p in rolled] == [p[0] for p in seconds[2:]]
    changes = aggregates(app, f"(rateofchange (metric {m1} mean))",
                         granularity="1")["measures"][m1]["mean"]
    assert [p[2] for p in changes] == pytest.approx(list(np.diff(a)))
    resampled = aggregates(app, f"(resample mean 60 (metric {m1} mean))",
                           granularity="1")["measures"][m1]["mean"]
    means = minute_means(p1)
    assert [(p[1], p[2]) for p in resampled] == [
        (60.0, pytest.approx(means[b])) for b in sorted(means)]


def test_rate_reduction_is_the_difference_of_consecutive_results(app, pair):
    (m1, _), (m2, _) = pair
    mean = aggregates(app, f"(aggregate mean (metric ({m1} mean) "
                           f"({m2} mean)))", granularity="60")
    rate = aggregates(app, f"(aggregate rate:mean (metric ({m1} mean) "
                           f"({m2} mean)))", granularity="60")
    values = [p[2] for p in mean["measures"]["aggregated"]]
    assert [p[2] for p in rate["measures"]["aggregated"]] == \
        pytest.approx(list(np.diff(values)))


def test_fill_and_overlap(app, policy):
    m1 = new_metric(app, policy, [(0, 1.0), (60, 2.0), (120, 3.0)])
    m2 = new_metric(app, policy, [(60, 10.0)])
    operations = f"(+ (metric {m1} mean) (metric {m2} mean))"
    dropped = aggregates(app, operations, granularity="60")
    assert [p[2] for p in dropped["measures"]["aggregated"]] == [12.0]
    zero = aggregates(app, operations, granularity="60", fill="0")
    assert [p[2] for p in zero["measures"]["aggregated"]] == [1.0, 12.0, 3.0]
    forward = aggregates(app, operations, granularity="60", fill="ffill")
    assert [p[2] for p in forward["measures"]["aggregated"]] == [12.0, 13.0]
    null = aggregates(app, operations, granularity="60", fill="null")
    assert [p[2] for p in null["measures"]["aggregated"]] == \
        [None, 12.0, None]
    error = aggregates(app, operations, granularity="60",
                       needed_overlap="100", start="0", status=400)
    assert error["description"]["cause"] == "Metrics cannot be aggregated"
    assert error["description"]["reason"].startswith("Less than 100")
    assert aggregates(app, operations, granularity="60", needed_overlap="30",
                      start="0")["measures"]["aggregated"][1][2] == 12.0


def test_details_lists_the_metrics(app, pair):
    (m1, _), (m2, _) = pair
    got = aggregates(app, ["metric", [m1, "mean"], [m2, "mean"],
                           [m2, "mean"]], details="true")
    assert sorted(r["id"] for r in got["references"]) == sorted([m1, m2])
    assert got["references"][0]["archive_policy"]["name"] == "pair"


def test_stat_operation_runs_a_plugin_with_validated_parameters(app, pair):
    (m1, _), _ = pair
    direct = app.get(f"/v1/metric/{m1}/measures", params={
        "granularity": "1", "stat": "moving-average", "window": "4"}).json
    for operations in (
            f"(stat moving-average (metric {m1} mean) window=4)",
            ["stat", "moving-average", ["metric", m1, "mean"],
             {"window": 4}]):
        got = aggregates(app, operations, granularity="1")
        assert got["measures"][m1]["mean"] == direct
    bad = aggregates(app, f"(stat moving-average (metric {m1} mean) "
                          f"window=-3)", status=400)
    assert bad["parameter"] == "window"
    unknown = aggregates(app, f"(stat no-such (metric {m1} mean))",
                         status=400)
    assert unknown["statistic"] == "no-such"


def test_unknown_metrics_and_someone_elses_are_404(app, policy):
    alice = user("alice")
    m1 = new_metric(app, policy, [(0, 1.0)], headers=alice)
    other = new_metric(app, policy, [(0, 1.0)], headers=user("mallory"))
    missing = "8c062a7e-9f9f-4b1c-9996-9d0328512ab7"
    got = aggregates(app, ["metric", [m1, "mean"], [other, "mean"],
                           [missing, "mean"]], status=404, headers=alice)
    assert got["description"]["cause"] == "Unknown metrics"
    assert got["description"]["detail"] == sorted([other, missing])
    assert aggregates(app, ["metric", "nope", "mean"], status=400)[
        "description"]["cause"] == "Invalid metric references"
    unknown = aggregates(app, ["metric", m1, "what?"], status=404)
    assert unknown["description"]["detail"] == [[m1, "what?"]]


def test_mismatched_granularities(app, pair):
    (m1, _), (m2, _) = pair
    app.post_json("/v1/archive_policy", {
        "name": "five", "definition": [{"granularity": "5 second"}]})
    m3 = new_metric(app, "five", [(0, 1.0)])
    got = aggregates(app, ["metric", [m1, "mean"], [m3, "mean"]],
                     status=400)
    assert got["description"]["reason"] == "No granularity match"
    got = aggregates(app, ["metric", m1, "mean"], granularity="123",
                     status=400)
    assert got["description"]["detail"] == [[m1, "mean", 123.0]]
    got = aggregates(app, f"(/ (metric ({m1} mean) ({m2} mean)) (metric "
                          f"({m1} max) ({m2} max) ({m1} mean)))", status=400)
    assert got["description"]["reason"] == \
        "Can't compute '/' between 2 and 3 series"
    got = aggregates(app, f"(+ (metric {m1} mean) (resample mean 120 "
                          f"(metric {m1} mean)))", granularity="60",
                     status=400)
    assert got["description"]["cause"] == "Metrics cannot be aggregated"


@pytest.mark.parametrize("query, name", [
    ({"start": "notadate"}, "start"), ({"stop": "x"}, "stop"),
    ({"needed_overlap": "nan"}, "needed_overlap"),
    ({"granularity": "foobar"}, "granularity"), ({"fill": "foo"}, "fill"),
    ({"details": "maybe"}, "details")])
def test_bad_query_parameters_are_named(app, pair, query, name):
    (m1, _), _ = pair
    got = aggregates(app, ["metric", m1, "mean"], status=400, **query)
    assert got["description"]["detail"] == name


def test_bad_expressions_point_at_the_offending_part(app, pair):
    (m1, _), _ = pair
    got = aggregates(app, f"(rolling mean 2 (metric {m1} mean) (abs",
                     status=400)
    assert got["description"]["cause"] == "Invalid operations"
    assert got["description"]["offset"] == len(
        f"(rolling mean 2 (metric {m1} mean) (abs")
    got = aggregates(app, ["+", ["metric", m1, "mean"], ["cosh", 1]],
                     status=400)
    assert got["description"]["path"] == [2]
    assert got["description"]["reason"].startswith("'cosh' operation invalid")
    got = aggregates(app, ["+", 1, 2], status=400)
    assert got["description"]["reason"] == "At least one 'metric' is required"


def test_expression_bounds_come_from_the_configuration(make_app, tmp_path):
    app = make_app(api={"max_operations_depth": "4"})
    deep = "(abs " * 4 + "(metric x mean)" + ")" * 4
    got = aggregates(app, deep, status=400)
    assert got["description"]["message"] == "nested deeper than 4"
    assert got["description"]["offset"] == deep.index("(metric")
    app = make_app(api={"max_operations_nodes": "8"})
    big = ["+"] + [["metric", "x", "mean"]] * 2
    big = ["*", big, ["+", big, big]]
    got = aggregates(app, big, status=400)
    assert got["description"]["reason"].startswith("Operations too large")


def test_rate_methods_in_policies_as_gnocchi_computes_them(app):
    app.post_json("/v1/archive_policy", {
        "name": "rated", "aggregation_methods": ["rate:mean", "rate:95pct",
                                                 "max"],
        "definition": [{"granularity": "1 minute"}]})
    points = [(0, 10.0), (70, 13.0), (80, 13.0), (90, 15.0), (130, 22.0),
              (140, 30.0)]
    metric = new_metric(app, "rated", points)
    times = np.array([t for t, _ in points[1:]])
    diffs = np.diff([v for _, v in points])
    for method, reduce in (("rate:mean", np.mean),
                           ("rate:95pct", lambda v: np.percentile(v, 95))):
        got = app.get(f"/v1/metric/{metric}/measures",
                      params={"aggregation": method}).json
        expected = [[iso(b), 60.0, pytest.approx(reduce(
            diffs[times - times % 60 == b]))] for b in (60, 120)]
        assert got == expected
    assert app.get(f"/v1/metric/{metric}/measures", params={
        "aggregation": "rate:max"}, status=404)
    assert app.post_json("/v1/archive_policy", {
        "name": "bad", "aggregation_methods": ["rate:nope"],
        "definition": [{"granularity": 60}]}, status=400)


def test_capabilities_list_the_operations(app):
    got = app.get("/v1/capabilities").json
    assert {"aggregate", "rolling", "resample", "stat", "rateofchange",
            "clip", "+", "**"} <= set(got["aggregates"]["operations"])
    assert "moving-average" in got["aggregates"]["statistics"]
    assert "rate:mean" in got["aggregation_methods"]


def test_depth_configured_past_the_recursion_limit_is_capped(make_app):
    app = make_app(api={"max_operations_depth": "100000",
                        "max_operations_nodes": "1000000"})
    node = ["metric", "x", "mean"]
    for _ in range(300):
        node = ["abs", node]
    got = aggregates(app, node, status=400)
    assert got["description"]["reason"].startswith(
        "Operations nested too deep")


def test_costly_expressions_are_refused_before_computing(make_app):
    app = make_app(api={"max_points_per_get": "100"})
    app.post_json("/v1/archive_policy", {
        "name": "raw", "definition": [{"granularity": "1 second"}]})
    metric = new_metric(app, "raw", [(t, float(t)) for t in range(60)])
    # 60 values, at most 100 x 100 operations: a window of 60 costs 60 x
    # 60 (and 60 x 2 for abs and metric); three cost more than 10,000.
    series = f"(metric {metric} mean)"
    got = aggregates(app, f"(rolling mean 60 (abs {series}))")
    assert [p[2] for p in got["measures"][metric]["mean"]] == [29.5]
    got = aggregates(app, f"(+ (rolling mean 60 {series}) (+ (rolling max "
                          f"60 {series}) (rolling min 60 {series})))",
                     status=400)
    assert got["description"]["cause"] == "Operations too costly"
