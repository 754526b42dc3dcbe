"""``GET /v1/status`` tells loaded, failed and disabled statistics apart."""
from tests.functional.test_statistics_config import (  # noqa: F401
    broken_plugin, own_entry_point_cache)

BUILTIN = "moving-average"


def statistics(app):
    return app.get("/v1/status").json["statistics"]


def test_nothing_is_disabled_by_default(app):
    status = statistics(app)
    assert status["disabled"] == []
    assert BUILTIN in status["loaded"]


def test_disabled_statistics_are_listed_apart(make_app):
    everything = statistics(make_app())["loaded"]
    status = statistics(make_app(statistics={
        "disabled": f"moving-sum, {BUILTIN}, no-such-stat"}))
    # Installed names only, sorted; an unknown name turns nothing off.
    assert status["disabled"] == [BUILTIN, "moving-sum"]
    assert status["loaded"] == [
        name for name in everything if name not in status["disabled"]]
    assert status["failed"] == {}


def test_names_left_out_of_enabled_are_disabled(make_app):
    everything = statistics(make_app())["loaded"]
    status = statistics(make_app(statistics={"enabled": "moving-sum"}))
    assert status["loaded"] == ["moving-sum"]
    assert status["disabled"] == [
        name for name in everything if name != "moving-sum"]


def test_a_broken_statistic_disabled_is_not_failed(make_app, broken_plugin):
    status = statistics(make_app(statistics={"disabled": "cfgtest-broken"}))
    assert status["disabled"] == ["cfgtest-broken"]
    assert status["failed"] == {}
    assert not broken_plugin.exists()  # never imported
    status = statistics(make_app())
    assert list(status["failed"]) == ["cfgtest-broken"]
    assert status["disabled"] == []
