"""The contract: parameter parsing, validate, describe, run, check_plugin."""
import datetime
import json

import numpy as np
import pytest

from statsvc import statistics
from statsvc.statistics import (
    REQUIRED, ContractError, Parameter, ParameterError, Series, Statistic,
    check_plugin, clean)
from tests.unit.statistics.conftest import PLUGINS


class Scaled(Statistic):
    """The example plugin of the Statistic docstring."""

    description = "Values multiplied by a factor, gaps dropped."
    parameters = (
        Parameter("factor", float, min=-1e6, max=1e6, help="multiplier"),
        Parameter("absolute", bool, default=False,
                  help="take the absolute value first"),
    )

    def compute(self, data, factor, absolute):
        data = clean(data)
        values = np.abs(data.values) if absolute else data.values
        return Series(data.timestamps, values * factor)


def test_docstring_example_runs_without_a_service():
    out = check_plugin(Scaled()).run([1, 2, 3], [1.0, float("nan"), -2.0],
                                     factor="2", absolute="true")
    assert out.timestamps.tolist() == [1, 3]
    assert out.values.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("text, value", [
    ("true", True), ("TRUE", True), ("Yes", True), ("1", True),
    ("false", False), ("False", False), ("no", False), ("0", False)])
def test_bool_parsing(text, value):
    assert Parameter("b", bool).parse(text) is value


@pytest.mark.parametrize("text", ["", "t", "y", "2", "on", "truee", "1.0"])
def test_bool_rejects_anything_else(text):
    with pytest.raises(ParameterError) as exc:
        Parameter("flag", bool).parse(text)
    assert exc.value.parameter == "flag"


@pytest.mark.parametrize("type_, text, value", [
    (int, "10", 10), (int, "-3", -3), (int, " 7 ", 7),
    (float, "2.5", 2.5), (float, "1e3", 1000.0), (float, ".5", 0.5),
    (float, "3", 3.0), (str, "abc", "abc")])
def test_typed_parsing(type_, text, value):
    parsed = Parameter("p", type_).parse(text)
    assert parsed == value and type(parsed) is type_


@pytest.mark.parametrize("type_, text", [
    (int, "1.5"), (int, "1e3"), (int, "1_000"), (int, "ten"), (int, ""),
    (int, "١٢"), (int, "9" * 40), (float, "nan"), (float, "inf"),
    (float, "1_0"), (float, "0x10"), (float, "1e999")])
def test_mistyped_values_are_rejected(type_, text):
    with pytest.raises(ParameterError, match="'p'"):
        Parameter("p", type_).parse(text)


def test_bounds_are_inclusive():
    p = Parameter("w", int, min=1, max=10)
    assert p.parse("1") == 1 and p.parse("10") == 10
    for text in ("0", "11", str(10 ** 12)):
        with pytest.raises(ParameterError, match="'w'"):
            p.parse(text)


def test_choices():
    p = Parameter("how", str, choices=["left", "right"])
    assert p.parse("left") == "left"
    with pytest.raises(ParameterError, match="left, right"):
        p.parse("middle")


def test_typed_values_are_accepted_and_checked():
    assert Parameter("w", int, max=5).parse(3) == 3
    assert Parameter("x", float).parse(3) == 3.0
    with pytest.raises(ParameterError):
        Parameter("w", int, max=5).parse(6)
    with pytest.raises(ParameterError):
        Parameter("w", int).parse(True)
    with pytest.raises(ParameterError):
        Parameter("w", int).parse(2.0)


@pytest.mark.parametrize("kwargs", [
    dict(name="not an identifier", type=int),
    dict(name="p", type=list),
    dict(name="p", type=str, min=1),
    dict(name="p", type=int, choices=[1]),
    dict(name="p", type=int, min=5, max=1),
    dict(name="p", type=int, default=20, max=10),
    dict(name="p", type=bool, default="maybe"),
])
def test_bad_declarations_fail_at_once(kwargs):
    with pytest.raises(ContractError):
        Parameter(**kwargs)


def test_ParameterError_is_a_ValueError_naming_the_parameter():
    err = ParameterError("window", "must be <= 10")
    assert isinstance(err, ValueError)
    assert err.parameter == "window" and "window" in str(err)


@pytest.mark.parametrize("name, query, parameter", [
    ("moving-average", {}, "window"),
    ("moving-average", {"window": "3", "windw": "3"}, "windw"),
    ("moving-average", {"window": "three"}, "window"),
    ("moving-average", {"window": "0"}, "window"),
    ("moving-average", {"window": str(10 ** 12)}, "window"),
    ("moving-average", {"window": "3", "center": "maybe"}, "center"),
    ("moving-std", {"window": "1"}, "window"),
    ("zscore", {"window": "1"}, "window"),
    ("zscore", {"window": "3", "center": "true"}, "center"),
    ("percentile", {"window": "3"}, "q"),
    ("percentile", {"window": "3", "q": "100.5"}, "q"),
    ("percentile", {"window": "3", "q": "-1"}, "q"),
    ("ewma", {}, "alpha"),
    ("ewma", {"alpha": "0"}, "alpha"),
    ("ewma", {"alpha": "1.5"}, "alpha"),
    ("ewma", {"span": "0.5"}, "span"),
    ("ewma", {"halflife": "0"}, "halflife"),
    ("ewma", {"alpha": "0.5", "span": "3"}, "span"),
    ("ewma", {"span": "3", "halflife": "2"}, "halflife"),
    ("delta", {"window": "3"}, "window"),
    ("increase", {"window": "5"}, "window"),
    ("irate", {"window": "1"}, "window"),
    ("irate", {"window": "5min", "min_points": "1"}, "min_points"),
    ("changes", {"window": "5", "min_points": "2"}, "min_points"),
    ("stdvar-over-time", {"window": "1"}, "window"),
])
def test_validate_names_the_bad_parameter(plugin, name, query, parameter):
    with pytest.raises(ParameterError) as exc:
        plugin(name).validate(query)
    assert exc.value.parameter == parameter


def test_validate_fills_defaults(plugin):
    assert plugin("moving-average").validate({"window": "4"}) == {
        "window": 4, "center": False, "min_points": None}
    assert plugin("ewma").validate({"span": "9"}) == {
        "alpha": None, "span": 9.0, "halflife": None}


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_describe_is_json_and_complete(plugin, name):
    described = plugin(name).describe()
    assert json.loads(json.dumps(described)) == described
    assert described["description"]
    for spec in described["parameters"].values():
        assert set(spec) >= {"type", "default", "min", "max", "required",
                             "help"}
        assert spec["help"]


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_first_party_statistics_say_their_unit_and_gaps(plugin, name):
    described = plugin(name).describe()
    assert described["unit"] and described["gaps"]


@pytest.mark.parametrize("attribute", ["unit", "gaps"])
def test_unit_and_gaps_are_one_line_or_none(attribute):
    class Fine(Statistic):
        description = "Fine."

        def compute(self, data):
            return data

    assert check_plugin(Fine()).describe()[attribute] is None
    broken = type("Broken", (Fine,), {attribute: "two\nlines"})()
    with pytest.raises(ContractError, match=attribute):
        check_plugin(broken)


def test_every_window_is_bounded(plugin):
    for name in PLUGINS:
        for p in plugin(name).parameters:
            if p.name == "window":
                assert p.max is not None and p.max <= 10 ** 7


def test_describe_of_a_window():
    assert Parameter("window", int, min=1, max=100, help="h").describe() == {
        "type": "int", "default": None, "min": 1, "max": 100,
        "required": True, "help": "h"}


def test_moving_average_keeps_its_registered_path():
    assert PLUGINS["moving-average"].value == \
        "statsvc_plugins.moving_average:MovingAverage"


def test_public_names_are_reexported():
    for name in ("Series", "Parameter", "ParameterError", "ContractError",
                 "Statistic", "check_plugin", "REQUIRED"):
        assert hasattr(statistics, name)
    assert statistics.REQUIRED is REQUIRED


def _plugin(**attributes):
    return type("P", (Scaled,), attributes)()


@pytest.mark.parametrize("obj", [
    Scaled,                                    # the class, not an instance
    object(),
    type("Duck", (), {"description": "d", "parameters": (),
                      "compute": lambda self, data: data,
                      "validate": lambda self, q: {},
                      "describe": lambda self: {}})(),
    _plugin(description=""),
    _plugin(description="   "),
    _plugin(description="two\nlines"),
    _plugin(description=None),
    _plugin(parameters=Parameter("a", int)),   # not a tuple
    _plugin(parameters=({"name": "a"},)),
    _plugin(parameters=(Parameter("a", int), Parameter("a", float))),
    _plugin(compute=None),
])
def test_check_plugin_refuses(obj):
    with pytest.raises(ContractError):
        check_plugin(obj)


def test_a_statistic_without_compute_cannot_be_instantiated():
    with pytest.raises(TypeError):
        type("NoCompute", (Statistic,), {"description": "d"})()


# --- durations ---------------------------------------------------------------

WINDOW = Parameter("window", int, min=1, max=100,
                   max_duration=datetime.timedelta(days=1), help="h")


@pytest.mark.parametrize("text, value", [
    ("5min", datetime.timedelta(minutes=5)),
    ("300s", datetime.timedelta(seconds=300)),
    ("1h30m", datetime.timedelta(hours=1, minutes=30)),
    ("1.5 hours", datetime.timedelta(hours=1, minutes=30)),
    ("1 day, 0:00:00", datetime.timedelta(days=1)),
    (datetime.timedelta(seconds=2), datetime.timedelta(seconds=2)),
    # A bare number counts points, as before durations existed.
    ("10", 10), (" 7 ", 7), (3, 3)])
def test_a_window_is_a_count_or_a_duration(text, value):
    parsed = WINDOW.parse(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", [
    "5parsecs", "5", "0s", "-5min", "1 minute 3", "2.5", "1e3", "1_000",
    "\u0661", "nan", "inf", "25h", "1 day, 0:00:01", "1e12s", "0.0000001s",
    datetime.timedelta(0)])
def test_a_bad_window_names_the_parameter(text):
    parameter = Parameter("window", int, min=1, max=4,
                          max_duration=datetime.timedelta(days=1))
    with pytest.raises(ParameterError) as exc:
        parameter.parse(text)
    assert exc.value.parameter == "window"


def test_describe_of_a_window_that_takes_durations():
    assert WINDOW.describe()["max_duration"] == 86400.0


@pytest.mark.parametrize("kwargs", [
    dict(type=float, max_duration=datetime.timedelta(1)),
    dict(type=int, max_duration=60),
    dict(type=int, max_duration=datetime.timedelta(0))])
def test_bad_duration_declarations_fail_at_once(kwargs):
    with pytest.raises(ContractError):
        Parameter("p", **kwargs)
