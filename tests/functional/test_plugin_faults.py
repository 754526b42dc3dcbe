"""Broken third-party statistics cannot take the service down.

The plugins are real distributions (a ``*.dist-info`` folder with
``METADATA`` and ``entry_points.txt`` beside their modules) in a directory
put on ``sys.path``: all an installed wheel is to the plugin core.
"""
import logging
import sys
import textwrap

import pytest
import webtest

from statsvc import config
from statsvc.api.app import setup_app

DIST = "statsvc_faulty_plugins"
MODULES = {
    "statsvc_faulty": """
        import numpy as np
        from statsvc.statistics import Parameter, Series, Statistic, clean

        class Fine(Statistic):
            description = "Values plus one."

            def compute(self, data):
                data = clean(data)
                return Series(data.timestamps, data.values + 1)

        class RaisesInInit(Statistic):
            description = "Cannot be built."

            def __init__(self):
                raise RuntimeError("no licence key")

            def compute(self, data):
                return data

        class RaisesInCompute(Statistic):
            description = "Divides by zero."

            def compute(self, data):
                return 1 / 0

        class ExitsInCompute(Statistic):
            description = "Calls sys.exit()."

            def compute(self, data):
                raise SystemExit(3)

        class RaisesInValidate(Statistic):
            description = "Breaks while checking parameters."
            parameters = (Parameter("k", int, default=1, max=10),)

            def check_parameters(self, params):
                return params["missing"]

            def compute(self, data, k):
                return data

        class WrongType(Statistic):
            description = "Returns a dict."

            def compute(self, data):
                return {"values": [1, 2, 3]}

        class WrongLength(Statistic):
            description = "Loses a value."

            def compute(self, data):
                data = clean(data)
                return Series(data.timestamps, data.values[:-1])

        class WrongDtype(Statistic):
            description = "Returns float timestamps."

            def compute(self, data):
                return Series(data.timestamps / 2.5, data.values)
        """,
    "statsvc_faulty_import": """
        import statsvc_no_such_dependency
        """,
}
ENTRY_POINTS = {
    "faulty-fine": "statsvc_faulty:Fine",
    "faulty-import": "statsvc_faulty_import:Anything",
    "faulty-init": "statsvc_faulty:RaisesInInit",
    "faulty-compute": "statsvc_faulty:RaisesInCompute",
    "faulty-exit": "statsvc_faulty:ExitsInCompute",
    "faulty-validate": "statsvc_faulty:RaisesInValidate",
    "faulty-type": "statsvc_faulty:WrongType",
    "faulty-length": "statsvc_faulty:WrongLength",
    "faulty-dtype": "statsvc_faulty:WrongDtype",
    # Needs an extra that is not installed: unavailable, never imported
    # (importing it would fail).
    "faulty-optional": "statsvc_faulty_import:Anything [gpu]",
}
LOAD_FAILURES = {"faulty-import": "ModuleNotFoundError",
                 "faulty-init": "RuntimeError: no licence key"}
RUN_FAILURES = {"faulty-compute": "raised in compute: ZeroDivisionError",
                "faulty-exit": "raised in compute: SystemExit",
                "faulty-validate": "raised in validate: KeyError",
                "faulty-type": "returned an invalid result",
                "faulty-length": "returned an invalid result: ValueError: 4 "
                                 "timestamps but 3 values",
                "faulty-dtype": "returned an invalid result"}


@pytest.fixture
def faulty_app(tmp_path, monkeypatch, caplog):
    """The real app with the faulty distribution installed; its start-up
    log records are in ``faulty_app.startup_log``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    site = tmp_path / "site"
    info = site / f"{DIST}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 1.0\n"
        "Requires-Dist: statsvc-no-such-dependency>=2; extra == 'gpu'\n")
    (info / "entry_points.txt").write_text("[statsvc.statistics]\n" + "".join(
        f"{name} = {target}\n" for name, target in ENTRY_POINTS.items()))
    for module, source in MODULES.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(site))
    with caplog.at_level(logging.INFO):
        app = webtest.TestApp(setup_app(config.load(overrides={
            "storage": {"driver": "sqlite",
                        "data_dir": str(tmp_path / "data")}})))
    app.startup_log = list(caplog.records)
    caplog.clear()
    metric = app.post_json("/v1/metric", {}).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures", [
        {"timestamp": i * 60, "value": i} for i in range(4)], status=202)
    app.metric = metric
    yield app
    for module in MODULES:
        sys.modules.pop(module, None)


def stat(app, name, status, **query):
    query = "".join(f"&{k}={v}" for k, v in query.items())
    return app.get(f"/v1/metric/{app.metric}/measures?stat={name}{query}",
                   status=status)


def test_the_service_starts_and_the_others_work(faulty_app):
    loaded = faulty_app.get("/v1/capabilities").json["statistics"]
    assert "moving-average" in loaded and "faulty-fine" in loaded
    assert not set(LOAD_FAILURES) & set(loaded)
    assert [p[2] for p in stat(faulty_app, "faulty-fine", 200).json] == \
        [1.0, 2.0, 3.0, 4.0]
    stat(faulty_app, "moving-average", 200, window=2)


@pytest.mark.parametrize("name", LOAD_FAILURES)
def test_a_load_failure_is_logged_once_and_in_status(faulty_app, name):
    mentions = [r for r in faulty_app.startup_log
                if r.levelno >= logging.WARNING and name in r.getMessage()]
    assert len(mentions) == 1, [r.getMessage() for r in mentions]
    failed = faulty_app.get("/v1/status").json["statistics"]["failed"]
    assert LOAD_FAILURES[name] in failed[name]["error"]
    assert failed[name]["target"] == ENTRY_POINTS[name]


@pytest.mark.parametrize("name", LOAD_FAILURES)
def test_asking_for_a_plugin_that_failed_to_load_is_a_500(faulty_app, name):
    resp = stat(faulty_app, name, 500)
    assert resp.json["code"] == 500
    assert name in resp.json["description"]
    assert LOAD_FAILURES[name] in resp.json["description"]


def test_a_plugin_whose_extra_is_missing_is_unavailable_not_failed(
        faulty_app):
    statistics = faulty_app.get("/v1/status").json["statistics"]
    assert "faulty-optional" not in statistics["failed"]
    assert statistics["unavailable"]["faulty-optional"] == {
        "target": ENTRY_POINTS["faulty-optional"],
        "requires": ["statsvc-no-such-dependency>=2; extra == \"gpu\" "
                     "(not installed)"],
        "install": f"pip install '{DIST}[gpu]'"}
    resp = stat(faulty_app, "faulty-optional", 501)
    assert f"pip install '{DIST}[gpu]'" in resp.json["description"]
    # Only logged at INFO: an operator's choice, not a fault.
    assert not [r for r in faulty_app.startup_log
                if r.levelno >= logging.WARNING
                and "faulty-optional" in r.getMessage()]


@pytest.mark.parametrize("name", RUN_FAILURES)
def test_a_run_failure_is_a_json_500_naming_the_plugin(faulty_app, caplog,
                                                      name):
    with caplog.at_level(logging.INFO):
        resp = stat(faulty_app, name, 500)
    assert resp.content_type == "application/json"
    assert resp.json["statistic"] == name
    assert name in resp.json["description"]
    assert RUN_FAILURES[name] in resp.json["description"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and name in errors[0].getMessage()
    assert errors[0].exc_info is not None  # the traceback is in the log
    # The worker carries on: the same and other requests still answer.
    stat(faulty_app, name, 500)
    statistics = faulty_app.get("/v1/status").json["statistics"]
    assert statistics["runtime_errors"][name] == {
        "count": 2, "last_error": resp.json["description"]}
    assert name in statistics["loaded"]
    stat(faulty_app, "faulty-fine", 200)
    faulty_app.get(f"/v1/metric/{faulty_app.metric}/measures", status=200)


def test_a_parameter_error_raised_in_compute_is_the_querys_fault(
        faulty_app):
    resp = stat(faulty_app, "faulty-validate", 400, k=11)
    assert resp.json["parameter"] == "k"
