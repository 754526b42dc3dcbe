"""Archive policy definitions, validation and rule matching, as Gnocchi's."""
import numpy as np
import pytest

from statsvc import archive_policy as ap


@pytest.mark.parametrize("text, seconds", [
    (60, 60.0), ("60", 60.0), ("2.5", 2.5), ("1 minute", 60.0),
    ("5min", 300.0), ("1h", 3600.0), ("1h30m", 5400.0), ("30 days", 2592000.0),
    ("1 week", 604800.0), ("2 hours, 5 s", 7205.0),
    # What to_json prints parses back.
    ("0:05:00", 300.0), ("365 days, 0:00:00", 31536000.0),
    ("1 day, 1:00:00.5", 90000.5),
])
def test_parse_timespan(text, seconds):
    assert ap.parse_timespan(text) == seconds


@pytest.mark.parametrize("text", [0, -1, "0", "nan", "inf", "", "minute",
                                  "1 fortnight", "5 m x", True, None, [1]])
def test_parse_timespan_refuses(text):
    with pytest.raises(ap.PolicyError):
        ap.parse_timespan(text)


@pytest.mark.parametrize("item, expected", [
    ({"granularity": 60, "points": 10}, (60.0, 10, 600.0)),
    ({"granularity": "1 minute", "timespan": "1 hour"}, (60.0, 60, 3600.0)),
    ({"points": 24, "timespan": "1 day"}, (3600.0, 24, 86400.0)),
    ({"granularity": 60, "points": "3", "timespan": 180},
     (60.0, 3, 180.0)),
    # A timespan that is no multiple of the granularity is rounded down.
    ({"granularity": 60, "timespan": 150}, (60.0, 2, 120.0)),
    ({"granularity": 60}, (60.0, None, None)),
])
def test_any_two_give_the_third(item, expected):
    parsed = ap.parse_item(item)
    assert (parsed["granularity"], parsed["points"],
            parsed["timespan"]) == expected


@pytest.mark.parametrize("item, needle", [
    ({"points": 10}, "At least two"),
    ({"granularity": 60, "points": 3, "timespan": 100}, "timespan"),
    ({"granularity": 60, "points": 0}, "at least 1"),
    ({"granularity": 60, "points": 1.5}, "expected int"),
    ({"granularity": 60, "colour": 1}, "extra keys"),
])
def test_invalid_items(item, needle):
    with pytest.raises(ap.PolicyError, match=needle):
        ap.parse_item(item)


def test_invalid_items_say_where():
    with pytest.raises(ap.PolicyError) as error:
        ap.parse_item({"granularity": 60, "points": 0}, 3)
    assert error.value.path == ["definition", 3, "points"]


def test_duplicate_granularities_are_refused():
    with pytest.raises(ap.PolicyError, match="granularity `60.0'"):
        ap.parse_definition([{"granularity": 60, "points": 1},
                             {"granularity": "1 minute", "points": 2}])


@pytest.mark.parametrize("methods, expected", [
    (["mean", "max"], ["max", "mean"]),
    (["+95pct", "-std"], ["95pct", "count", "max", "mean", "min", "sum"]),
    (["last", "+first"], ["first", "last"]),
    (["*", "-mean"], sorted(ap.VALID_AGGREGATION_METHODS - {"mean"})),
])
def test_aggregation_method_modifiers(methods, expected):
    assert ap.resolve_methods(methods) == expected


@pytest.mark.parametrize("methods", [["avg"], ["+p95"], "mean", [1]])
def test_invalid_aggregation_methods(methods):
    with pytest.raises(ap.PolicyError):
        ap.resolve_methods(methods)


def test_defaults_are_gnocchis():
    shown = {name: ap.to_json(ap.with_defaults(p))
             for name, p in ap.DEFAULT_POLICIES.items()}
    assert shown["low"] == {
        "name": "low", "back_window": 0,
        "aggregation_methods": ["count", "max", "mean", "min", "std", "sum"],
        "definition": [{"granularity": "0:05:00", "points": 8640,
                        "timespan": "30 days, 0:00:00"}]}
    assert [d["points"] for d in shown["high"]["definition"]] == [
        3600, 10080, 8760]
    assert [d["points"] for d in shown["medium"]["definition"]] == [
        10080, 8760]
    assert shown["bool"]["aggregation_methods"] == ["last"]
    assert shown["bool"]["back_window"] == 3600


def test_update_keeps_granularities():
    policy = ap.new_policy({"name": "p", "definition": [
        {"granularity": 60, "points": 10}, {"granularity": 1, "points": 5}]})
    changed = ap.updated_policy(policy, {"definition": [
        {"granularity": 1, "points": 50}, {"granularity": "1m", "points": 2}],
        "back_window": 2})
    assert [d["points"] for d in changed["definition"]] == [50, 2]
    assert changed["back_window"] == 2
    with pytest.raises(ap.PolicyError, match="Cannot add or drop"):
        ap.updated_policy(policy, {"definition": [{"granularity": 60,
                                                   "points": 1}]})
    with pytest.raises(ap.PolicyError, match="granularity interval"):
        ap.updated_policy(policy, {"definition": [
            {"granularity": 60, "points": 1}, {"granularity": 2, "points": 1}]})


def test_rules_are_tried_pattern_descending_then_by_name():
    rules = [{"name": "all", "metric_pattern": "*", "archive_policy_name": "a"},
             {"name": "disk", "metric_pattern": "disk.*",
              "archive_policy_name": "b"},
             {"name": "io", "metric_pattern": "disk.io.*",
              "archive_policy_name": "c"}]
    assert ap.matching_rule(rules, "disk.io.read")["name"] == "io"
    assert ap.matching_rule(rules, "disk.usage")["name"] == "disk"
    assert ap.matching_rule(rules, "cpu")["name"] == "all"
    assert ap.matching_rule(rules, None)["name"] == "all"
    assert ap.matching_rule(rules[1:], "cpu") is None


def test_rollup_spec_of_a_policy():
    policy = ap.new_policy({"name": "p", "back_window": 2,
                            "aggregation_methods": ["mean", "95pct", "max"],
                            "definition": [{"granularity": 60, "points": 10},
                                           {"granularity": 1, "points": 5},
                                           {"granularity": 3600}]})
    assert ap.rollup_spec(policy) == {
        "granularities": [[10**9, 5], [60 * 10**9, 10],
                          [3600 * 10**9, None]],
        "methods": ["max", "mean", "p95"], "back_window": 2}
    # A rate is a difference of its method's archive, kept once.
    assert ap.rollup_spec(dict(policy, aggregation_methods=[
        "rate:mean", "mean"]))["methods"] == ["mean"]
