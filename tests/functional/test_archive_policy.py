"""Archive policies, their rules and the metrics that use them, as in Gnocchi."""
import pytest

from statsvc.config import ConfigError

USER = {"X-User-Id": "alice", "X-Roles": "member"}


def _policy(app, name="p", **extra):
    body = {"name": name, "definition": [
        {"granularity": "1 minute", "points": 3},
        {"granularity": 1, "timespan": "1 hour"}], **extra}
    return app.post_json("/v1/archive_policy", body)


def test_gnocchis_defaults_exist_on_a_fresh_install(app):
    policies = app.get("/v1/archive_policy/").json
    assert [p["name"] for p in policies] == ["bool", "high", "low", "medium"]
    assert app.get("/v1/archive_policy/medium").json == {
        "name": "medium", "back_window": 0,
        "aggregation_methods": ["count", "max", "mean", "min", "std", "sum"],
        "definition": [
            {"granularity": "0:01:00", "points": 10080,
             "timespan": "7 days, 0:00:00"},
            {"granularity": "1:00:00", "points": 8760,
             "timespan": "365 days, 0:00:00"}]}


def test_a_deleted_default_stays_deleted_after_a_restart(make_app):
    make_app().delete("/v1/archive_policy/bool", status=204)
    make_app().get("/v1/archive_policy/bool", status=404)


def test_create_show_and_delete(app):
    resp = _policy(app, aggregation_methods=["+95pct", "-std"],
                   back_window="2")
    assert resp.status_int == 201
    assert resp.location.endswith("/v1/archive_policy/p")
    assert resp.json == {
        "name": "p", "back_window": 2,
        "aggregation_methods": ["95pct", "count", "max", "mean", "min",
                                "sum"],
        "definition": [
            {"granularity": "0:01:00", "points": 3, "timespan": "0:03:00"},
            {"granularity": "0:00:01", "points": 3600,
             "timespan": "1:00:00"}]}
    assert app.get("/v1/archive_policy/p").json == resp.json
    app.delete("/v1/archive_policy/p", status=204)
    resp = app.get("/v1/archive_policy/p", status=404)
    assert resp.json["description"] == "Archive policy p does not exist"
    app.delete("/v1/archive_policy/p", status=404)


def test_duplicate_name_is_409(app):
    _policy(app)
    resp = app.post_json("/v1/archive_policy", {
        "name": "p", "definition": [{"granularity": 1}]}, status=409)
    assert resp.json["description"] == "Archive policy p already exists"


@pytest.mark.parametrize("body, needle", [
    ({"definition": [{"granularity": 1}]}, "name"),
    ({"name": "x"}, "definition"),
    ({"name": "x", "definition": []}, "definition"),
    ({"name": "x", "definition": [{"points": 3}]}, "At least two"),
    ({"name": "x", "definition": [{"granularity": 60, "points": 2,
                                   "timespan": 60}]}, "timespan"),
    ({"name": "x", "definition": [{"granularity": "soon"}]}, "timespan"),
    ({"name": "x", "definition": [{"granularity": 1}],
      "aggregation_methods": ["avg"]}, "aggregation_methods"),
    ({"name": "x", "definition": [{"granularity": 1}], "back_window": -1},
     "back_window"),
    ({"name": "x/y", "definition": [{"granularity": 1}]}, "name"),
    ({"name": "x", "definition": [{"granularity": 1}], "colour": 1},
     "colour"),
])
def test_invalid_policies_are_400(app, body, needle):
    resp = app.post_json("/v1/archive_policy", body, status=400)
    assert needle in str(resp.json["description"])


@pytest.mark.parametrize("body, reason, detail", [
    ({"name": "x", "definition": [{"granularity": 1}], "colour": 1},
     "extra keys not allowed @ data['colour']", ["colour"]),
    ({"name": "x"}, "required key not provided @ data['definition']",
     ["definition"]),
    ({"name": "x", "definition": {}},
     "expected a list for dictionary value @ data['definition']",
     ["definition"]),
    ({"name": "x", "definition": [{"granularity": 1}, {"granularity": 0}]},
     "Timespan must be positive for dictionary value @ "
     "data['definition'][1]['granularity']", ["definition", "1",
                                               "granularity"]),
    ({"name": "x", "definition": [{"granularity": 1, "points": 0}]},
     "value must be at least 1 for dictionary value @ "
     "data['definition'][0]['points']", ["definition", "0", "points"]),
])
def test_invalid_bodies_say_what_and_where_as_gnocchi(app, body, reason,
                                                       detail):
    resp = app.post_json("/v1/archive_policy", body, status=400)
    assert resp.json["description"] == {"cause": "Invalid input",
                                        "reason": reason, "detail": detail}


def test_patch_changes_points_of_the_same_granularities_only(app):
    _policy(app)
    resp = app.patch_json("/v1/archive_policy/p", {"definition": [
        {"granularity": 1, "points": 10}, {"granularity": 60, "points": 5}],
        "back_window": 1})
    assert [d["points"] for d in resp.json["definition"]] == [10, 5]
    assert resp.json["back_window"] == 1
    assert app.get("/v1/archive_policy/p").json == resp.json
    resp = app.patch_json("/v1/archive_policy/p", {"definition": [
        {"granularity": 1, "points": 10}]}, status=400)
    assert "Cannot add or drop granularities" in resp.json["description"]
    resp = app.patch_json("/v1/archive_policy/p", {"definition": [
        {"granularity": 2, "points": 10}, {"granularity": 60, "points": 5}]},
        status=400)
    assert "granularity interval was changed" in resp.json["description"]
    app.patch_json("/v1/archive_policy/nope", {"definition": [
        {"granularity": 1, "points": 1}]}, status=404)


def test_only_admins_change_policies_and_rules(app):
    _policy(app)
    app.get("/v1/archive_policy/p", headers=USER)
    for method, url, body in [
            ("post", "/v1/archive_policy", {"name": "q", "definition": [
                {"granularity": 1}]}),
            ("patch", "/v1/archive_policy/p", {"definition": [
                {"granularity": 1, "points": 1}]}),
            ("delete", "/v1/archive_policy/p", None),
            ("post", "/v1/archive_policy_rule", {
                "name": "r", "metric_pattern": "*",
                "archive_policy_name": "p"})]:
        call = getattr(app, method + ("_json" if body else ""))
        args = (url, body) if body else (url,)
        assert call(*args, headers=USER, status=403).json["code"] == 403


def test_a_policy_in_use_cannot_be_deleted(app):
    _policy(app)
    metric = app.post_json("/v1/metric", {"archive_policy_name": "p"}).json
    resp = app.delete("/v1/archive_policy/p", status=400)
    assert "Archive policy p is still in use" in resp.json["description"]
    app.delete(f"/v1/metric/{metric['id']}", status=204)
    app.post_json("/v1/archive_policy_rule", {
        "name": "r", "metric_pattern": "*", "archive_policy_name": "p"})
    app.delete("/v1/archive_policy/p", status=400)
    app.delete("/v1/archive_policy_rule/r", status=204)
    app.delete("/v1/archive_policy/p", status=204)


def test_metric_shows_its_policy_as_gnocchi(app):
    created = app.post_json("/v1/metric", {
        "name": "cpu", "archive_policy_name": "low"}).json
    assert created["archive_policy_name"] == "low"
    assert created["archive_policy"] == app.get(
        "/v1/archive_policy/low").json
    assert created["created_by_user_id"] == "admin"
    assert "timespan_ns" not in created
    assert app.get(f"/v1/metric/{created['id']}").json == created
    assert app.get("/v1/metric").json == [created]


def test_metric_without_policy_shows_a_raw_one(app, metric):
    shown = app.get(f"/v1/metric/{metric}").json
    assert shown["archive_policy_name"] is None
    assert shown["archive_policy"]["name"] is None
    assert shown["archive_policy"]["definition"] == []


def test_unknown_policy_name_is_400_naming_it(app):
    resp = app.post_json("/v1/metric", {"archive_policy_name": "nope"},
                         status=400)
    assert resp.json["description"] == "Archive policy nope does not exist"


def _measures(app, metric_id, seconds, **query):
    app.post_json(f"/v1/metric/{metric_id}/measures", [
        {"timestamp": t, "value": float(t)} for t in seconds])
    return app.get(f"/v1/metric/{metric_id}/measures", query).json


def test_every_granularity_coarsest_first_within_its_points(app):
    _policy(app)
    metric = app.post_json("/v1/metric", {"archive_policy_name": "p"}).json
    got = _measures(app, metric["id"], range(0, 600, 10))
    minutes = [m for m in got if m[1] == 60.0]
    seconds = [m for m in got if m[1] == 1.0]
    assert got == minutes + seconds
    # 3 points at 1 minute: the 3 newest buckets, as Gnocchi keeps them.
    assert minutes == [["1970-01-01T00:07:00+00:00", 60.0, 445.0],
                       ["1970-01-01T00:08:00+00:00", 60.0, 505.0],
                       ["1970-01-01T00:09:00+00:00", 60.0, 565.0]]
    assert len(seconds) == 60
    only = app.get(f"/v1/metric/{metric['id']}/measures",
                   {"granularity": "1 minute", "aggregation": "max",
                    "start": 420, "stop": 540}).json
    assert only == [["1970-01-01T00:07:00+00:00", 60.0, 470.0],
                    ["1970-01-01T00:08:00+00:00", 60.0, 530.0]]


def test_granularity_or_method_not_in_the_policy_is_404(app):
    _policy(app)
    metric = app.post_json("/v1/metric", {"archive_policy_name": "p"}).json
    url = f"/v1/metric/{metric['id']}/measures"
    resp = app.get(url, {"granularity": 300}, status=404)
    assert resp.json["description"] == (
        f"Aggregation method 'mean' at granularity '300.0' for metric "
        f"{metric['id']} does not exist")
    for method in ("last", "avg"):  # not in the policy; not a method at all
        resp = app.get(url, {"aggregation": method}, status=404)
        assert resp.json["description"] == {
            "cause": "Aggregation method does not exist for this metric",
            "detail": {"metric": metric["id"], "aggregation_method": method}}


def test_points_older_than_the_longest_timespan_are_dropped(app):
    app.post_json("/v1/archive_policy", {"name": "short", "definition": [
        {"granularity": 1, "points": 10}]})
    metric = app.post_json("/v1/metric", {"archive_policy_name": "short"}).json
    got = _measures(app, metric["id"], [0, 5, 100, 105])
    assert [m[0] for m in got] == ["1970-01-01T00:01:40+00:00",
                                   "1970-01-01T00:01:45+00:00"]


def test_patched_timespans_apply_to_existing_metrics(app):
    app.post_json("/v1/archive_policy", {"name": "short", "definition": [
        {"granularity": 1, "points": 100}]})
    metric = app.post_json("/v1/metric", {"archive_policy_name": "short"}).json
    _measures(app, metric["id"], [0, 50, 90])
    app.patch_json("/v1/archive_policy/short", {"definition": [
        {"granularity": 1, "points": 20}]})
    got = _measures(app, metric["id"], [95])
    assert [m[0] for m in got] == ["1970-01-01T00:01:30+00:00",
                                   "1970-01-01T00:01:35+00:00"]
    app.patch_json("/v1/archive_policy/short", {"definition": [
        {"granularity": 1, "points": 1000}]})
    # More points do not bring dropped buckets back, and a point older
    # than the newest bucket (back_window 0) is ignored, as in Gnocchi.
    got = _measures(app, metric["id"], [10])
    assert [m[0] for m in got] == ["1970-01-01T00:01:30+00:00",
                                   "1970-01-01T00:01:35+00:00"]
    assert "timespan_ns" not in app.get(f"/v1/metric/{metric['id']}").json


def test_resample_and_refresh_as_gnocchiclient_sends_them(app):
    metric = app.post_json("/v1/metric", {"archive_policy_name": "low"}).json
    got = _measures(app, metric["id"], range(0, 1200, 60),
                    granularity=300, resample=600, aggregation="sum",
                    refresh="False")
    assert got == [["1970-01-01T00:00:00+00:00", 600.0, 2700.0],
                   ["1970-01-01T00:10:00+00:00", 600.0, 8700.0]]
    url = f"/v1/metric/{metric['id']}/measures"
    app.get(url, {"resample": 600}, status=400)
    app.get(url, {"refresh": "maybe"}, status=400)


def test_rules_give_a_policy_to_metrics_created_without_one(app):
    for name, pattern, policy in [("all", "*", "low"),
                                  ("disk", "disk.*", "medium"),
                                  ("io", "disk.io.*", "high")]:
        resp = app.post_json("/v1/archive_policy_rule", {
            "name": name, "metric_pattern": pattern,
            "archive_policy_name": policy})
        assert resp.status_int == 201
        assert resp.location.endswith(f"/v1/archive_policy_rule/{name}")
    assert [r["name"] for r in app.get("/v1/archive_policy_rule/").json] \
        == ["io", "disk", "all"]
    assert app.get("/v1/archive_policy_rule/disk").json == {
        "name": "disk", "metric_pattern": "disk.*",
        "archive_policy_name": "medium"}
    for name, policy in [("disk.io.read", "high"), ("disk.usage", "medium"),
                         ("cpu", "low"), (None, "low")]:
        created = app.post_json("/v1/metric", {"name": name}).json
        assert created["archive_policy_name"] == policy, name
    explicit = app.post_json("/v1/metric", {
        "name": "disk.x", "archive_policy_name": "bool"}).json
    assert explicit["archive_policy_name"] == "bool"


def test_rule_errors(app):
    rule = {"name": "r", "metric_pattern": "*", "archive_policy_name": "low"}
    app.post_json("/v1/archive_policy_rule", rule)
    assert app.post_json("/v1/archive_policy_rule", rule,
                         status=409).json["code"] == 409
    resp = app.post_json("/v1/archive_policy_rule", dict(
        rule, name="s", archive_policy_name="nope"), status=400)
    assert resp.json["description"] == {
        "cause": "Archive policy does not exist", "detail": "nope"}
    app.post_json("/v1/archive_policy_rule", {"name": "t"}, status=400)
    app.get("/v1/archive_policy_rule/nope", status=404)
    app.delete("/v1/archive_policy_rule/nope", status=404)


def test_a_rule_can_be_renamed_only(app):
    for name in ("r", "s"):
        app.post_json("/v1/archive_policy_rule", {
            "name": name, "metric_pattern": name + "*",
            "archive_policy_name": "low"})
    resp = app.patch_json("/v1/archive_policy_rule/r", {"name": "t"})
    assert resp.json == {"name": "t", "metric_pattern": "r*",
                         "archive_policy_name": "low"}
    app.get("/v1/archive_policy_rule/r", status=404)
    assert app.get("/v1/archive_policy_rule/t").json == resp.json
    resp = app.patch_json("/v1/archive_policy_rule/t", {"name": "s"},
                          status=400)
    assert resp.json["description"] == (
        "Archive policy rule t does not support change: Archive policy "
        "rule s already exists.")
    app.patch_json("/v1/archive_policy_rule/t", {"pattern": "x"}, status=400)
    app.patch_json("/v1/archive_policy_rule/nope", {"name": "u"}, status=404)
    app.patch_json("/v1/archive_policy_rule/t", {"name": "u"},
                   headers=USER, status=403)


def test_metrics_without_policy_can_be_refused_as_gnocchi(make_app):
    app = make_app(api={"metrics_without_policy": "false"})
    resp = app.post_json("/v1/metric", {"name": "cpu"}, status=400)
    assert resp.json["description"] == (
        "No archive policy name specified and no archive policy rule found "
        "matching the metric name cpu")
    app.post_json("/v1/archive_policy_rule", {
        "name": "r", "metric_pattern": "c*", "archive_policy_name": "low"})
    assert app.post_json("/v1/metric", {"name": "cpu"}).json[
        "archive_policy_name"] == "low"
    with pytest.raises(ConfigError):
        make_app(api={"metrics_without_policy": "maybe"})
