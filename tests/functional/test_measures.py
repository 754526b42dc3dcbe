import datetime

import pytest


def _post(app, metric, points, status=202):
    return app.post_json(f"/v1/metric/{metric}/measures", points,
                         status=status)


def _iso(seconds):
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()


def test_measures_are_returned_sorted_in_gnocchi_shape(app, metric):
    _post(app, metric, [
        {"timestamp": "2024-01-01T00:00:10+00:00", "value": 3},
        {"timestamp": "2024-01-01T00:00:00Z", "value": 1.5},
        {"timestamp": 1704067205, "value": -2},
    ])
    assert app.get(f"/v1/metric/{metric}/measures").json == [
        ["2024-01-01T00:00:00+00:00", None, 1.5],
        ["2024-01-01T00:00:05+00:00", None, -2.0],
        ["2024-01-01T00:00:10+00:00", None, 3.0],
    ]


def test_timezone_offsets_and_fractions_are_normalised_to_utc(app, metric):
    _post(app, metric, [
        {"timestamp": "2024-01-01T02:00:00.250+02:00", "value": 1},
        {"timestamp": "1704067201.5", "value": 2},
    ])
    assert app.get(f"/v1/metric/{metric}/measures").json == [
        ["2024-01-01T00:00:00.250000+00:00", None, 1.0],
        ["2024-01-01T00:00:01.500000+00:00", None, 2.0],
    ]


def test_same_timestamp_last_write_wins(app, metric):
    _post(app, metric, [{"timestamp": 10, "value": 1}])
    _post(app, metric, [{"timestamp": 10, "value": 2},
                        {"timestamp": 20, "value": 3}])
    assert [p[2] for p in app.get(f"/v1/metric/{metric}/measures").json] \
        == [2.0, 3.0]


def test_start_stop_select_half_open_range(app, metric):
    _post(app, metric, [{"timestamp": t, "value": t} for t in range(10)])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"start": "3", "stop": _iso(6)}).json
    assert [p[2] for p in got] == [3.0, 4.0, 5.0]


def test_moving_average_one_point_per_full_window(app, metric):
    values = [1, 2, 3, 4, 10]
    _post(app, metric, [{"timestamp": 100 + i, "value": v}
                        for i, v in enumerate(values)])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"stat": "moving-average", "window": "3"}).json
    assert got == [[_iso(102), None, 2.0], [_iso(103), None, 3.0],
                   [_iso(104), None, pytest.approx(17 / 3)]]


def test_moving_average_window_longer_than_series_is_empty(app, metric):
    _post(app, metric, [{"timestamp": 1, "value": 1}])
    assert app.get(f"/v1/metric/{metric}/measures",
                   {"stat": "moving-average", "window": "5"}).json == []


@pytest.mark.parametrize("points, needle", [
    ([{"timestamp": 1}], "body[0]: timestamp and value are required"),
    ([{"value": 1}], "body[0]: timestamp and value are required"),
    ([{"timestamp": 1, "value": "abc"}], "body[0].value: must be a number"),
    ([{"timestamp": 1, "value": True}], "body[0].value: must be a number"),
    ([{"timestamp": 1, "value": 1}, {"timestamp": "yesterday-ish",
                                      "value": 1}],
     "body[1].timestamp: 'yesterday-ish' is not an ISO 8601"),
    ([{"timestamp": [], "value": 1}], "body[0].timestamp"),
    ([{"timestamp": 1e300, "value": 1}], "out of range"),
    ({"timestamp": 1, "value": 1}, "must be a JSON list"),
    ([5], "unexpected measures format', 'detail': [], 'measure': 'body[0]"),
])
def test_bad_measures_are_400_and_store_nothing(app, metric, points, needle):
    _post(app, metric, [{"timestamp": 0, "value": 42}])
    resp = _post(app, metric, points, status=400)
    assert resp.json["code"] == 400
    assert needle in str(resp.json["description"])
    assert app.get(f"/v1/metric/{metric}/measures").json == [
        [_iso(0), None, 42.0]]


@pytest.mark.parametrize("literal, needle", [
    ("1e999", "infinity"), ("NaN", "Malformed JSON"),
    ("-Infinity", "Malformed JSON"), (str(10 ** 400), "Malformed JSON")])
def test_non_finite_values_are_refused(app, metric, literal, needle):
    resp = app.post(f"/v1/metric/{metric}/measures",
                    f'[{{"timestamp": 1, "value": {literal}}}]',
                    content_type="application/json", status=400)
    assert needle in str(resp.json["description"])


def test_malformed_json_measures_is_400(app, metric):
    resp = app.post(f"/v1/metric/{metric}/measures", "[{",
                    content_type="application/json", status=400)
    assert "Malformed JSON" in resp.json["description"]


def test_measures_of_unknown_metric_is_404(app):
    resp = _post(app, "8d3c9b0e-5c56-4d4e-9a0e-0a1b2c3d4e5f",
                 [{"timestamp": 1, "value": 1}], status=404)
    assert resp.json["code"] == 404


@pytest.mark.parametrize("query, needle", [
    ({"stat": "no-such-stat"}, "Unknown statistic 'no-such-stat'"),
    ({"stat": "moving-average"}, "window"),
    ({"stat": "moving-average", "window": "0"}, "window"),
    ({"stat": "moving-average", "window": "-3"}, "window"),
    ({"stat": "moving-average", "window": "two"}, "window"),
    ({"stat": "moving-average", "window": "2.5"}, "window"),
    ({"stat": "moving-average", "window": "3", "colour": "red"}, "colour"),
    ({"window": "3"}, "stat=<name>"),
    ({"start": "not a date"}, "start"),
    ({"start": "10", "stop": "5"}, "stop must be later than start"),
])
def test_bad_queries_are_400(app, metric, query, needle):
    resp = app.get(f"/v1/metric/{metric}/measures", query, status=400)
    assert resp.json["code"] == 400
    assert needle in str(resp.json["description"])


def test_unknown_stat_lists_available_ones(app, metric):
    resp = app.get(f"/v1/metric/{metric}/measures", {"stat": "nope"},
                   status=400)
    assert "moving-average" in resp.json["description"]


def test_points_over_get_limit_is_400(make_app):
    app = make_app(api={"max_points_per_get": "3"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    _post(app, metric, [{"timestamp": t, "value": t} for t in range(5)])
    resp = app.get(f"/v1/metric/{metric}/measures", status=400)
    assert "exceed the limit of 3" in resp.json["description"]
    assert len(app.get(f"/v1/metric/{metric}/measures",
                       {"start": "0", "stop": "3"}).json) == 3


def test_measures_survive_a_new_app_on_the_same_data_dir(make_app):
    first = make_app()
    metric = first.post_json("/v1/metric", {}).json["id"]
    _post(first, metric, [{"timestamp": 1, "value": 7}])
    second = make_app()
    assert second.get(f"/v1/metric/{metric}/measures").json == [
        [_iso(1), None, 7.0]]


def test_granularity_resamples_with_aggregation(app, metric):
    _post(app, metric, [{"timestamp": t, "value": t} for t in range(0, 120,
                                                                     10)])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"granularity": "60", "aggregation": "max"}).json
    assert got == [[_iso(0), 60.0, 50.0], [_iso(60), 60.0, 110.0]]
    mean = app.get(f"/v1/metric/{metric}/measures",
                   {"granularity": "60"}).json
    assert [p[2] for p in mean] == [25.0, 85.0]


def test_resample_then_statistic(app, metric):
    _post(app, metric, [{"timestamp": t, "value": t} for t in range(0, 180,
                                                                     10)])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"granularity": "60", "aggregation": "sum",
                   "stat": "moving-average", "window": "2"}).json
    # bucket sums: 150, 510, 870
    assert got == [[_iso(60), 60.0, 330.0], [_iso(120), 60.0, 690.0]]


@pytest.mark.parametrize("query, needle", [
    ({"granularity": "0"}, "granularity"),
    ({"granularity": "-5"}, "granularity"),
    ({"granularity": "minute"}, "granularity"),
    ({"granularity": "60", "aggregation": "avg"}, "Unknown aggregation"),
])
def test_bad_resampling_is_400(app, metric, query, needle):
    resp = app.get(f"/v1/metric/{metric}/measures", query, status=400)
    assert needle in str(resp.json["description"])


def test_calendar_resampling_stamps_buckets_with_their_letter(app, metric):
    _post(app, metric, [{"timestamp": t, "value": v} for t, v in [
        ("2015-03-01T14:34:12", 10), ("2015-03-06T14:34:12", 12),
        ("2015-04-01T14:34:12", 2), ("2016-02-06T14:34:12", 4)]])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"granularity": "86400", "resample": "M"}).json
    assert got == [["2015-03-01T00:00:00+00:00", "M", 11.0],
                   ["2015-04-01T00:00:00+00:00", "M", 2.0],
                   ["2016-02-01T00:00:00+00:00", "M", 4.0]]
    app.get(f"/v1/metric/{metric}/measures", {"resample": "M"}, status=400)


def test_moving_average_over_a_duration_window(app, metric):
    # (t - 5min, t]: the point at 0 s is out of the window at 300 s, and
    # min_points=2 drops the lone point at 900 s.
    _post(app, metric, [{"timestamp": 1704067200 + s, "value": v}
                        for s, v in [(0, 1), (60, 3), (299, 5), (300, 7),
                                     (900, 9)]])
    got = app.get(f"/v1/metric/{metric}/measures",
                  {"stat": "moving-average", "window": "5min",
                   "min_points": "2"}).json
    assert got == [[_iso(1704067260), None, 2.0],
                   [_iso(1704067499), None, 3.0],
                   [_iso(1704067500), None, 5.0]]


@pytest.mark.parametrize("query, parameter", [
    ({"window": "5parsecs"}, "window"),
    ({"window": "3661days"}, "window"),
    ({"window": "5", "min_points": "2"}, "min_points"),
])
def test_a_bad_duration_window_is_a_400_naming_it(app, metric, query,
                                                  parameter):
    resp = app.get(f"/v1/metric/{metric}/measures",
                   {"stat": "moving-average", **query}, status=400)
    assert resp.json["parameter"] == parameter


def test_capabilities_say_the_window_takes_a_duration(app):
    window = app.get("/v1/capabilities").json["statistics_details"][
        "moving-sum"]["parameters"]["window"]
    assert window["max_duration"] == 3660 * 86400
    assert "duration" in window["help"]
