"""``[statistics] enabled`` / ``disabled``: the operator decides what users
can run, and a statistic turned off is never even imported.

Third-party plugins here are real distributions: a ``*.dist-info`` folder
with an ``entry_points.txt`` next to its module, in a directory put on
``sys.path``, which is all an installed wheel is to the plugin core.
"""
import logging
import textwrap

import pytest
import webtest

from statsvc.api.app import setup_app

BUILTIN = "moving-average"


@pytest.fixture(autouse=True)
def own_entry_point_cache(tmp_path, monkeypatch):
    """The plugin core's disk cache goes to this test's directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def install(site, dist, statistics, module_source):
    """Write distribution ``dist`` into the directory ``site``: a module of
    the same name and an entry point ``name = dist:attr`` per statistic."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[statsvc.statistics]\n" + "".join(
            f"{name} = {dist}:{attr}\n" for name, attr in statistics.items()))
    (site / f"{dist}.py").write_text(textwrap.dedent(module_source))


@pytest.fixture
def broken_plugin(tmp_path, monkeypatch):
    """A third-party statistic ``cfgtest-broken`` whose module imports a
    missing module; importing it at all leaves a marker file."""
    site = tmp_path / "site"
    marker = tmp_path / "broken-was-imported"
    install(site, "statsvc_cfgtest_broken", {"cfgtest-broken": "Broken"}, f"""
        open({str(marker)!r}, "w").close()
        import statsvc_cfgtest_missing_dependency
        """)
    monkeypatch.syspath_prepend(str(site))
    return marker


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """Two working third-party statistics, ``cfgtest-double`` and
    ``cfgtest-negate``, from one distribution."""
    site = tmp_path / "site"
    install(site, "statsvc_cfgtest_ok",
            {"cfgtest-double": "Double", "cfgtest-negate": "Negate"}, """
        from statsvc.statistics import Series, Statistic, clean

        class Double(Statistic):
            description = "Values times two."

            def compute(self, data):
                data = clean(data)
                return Series(data.timestamps, data.values * 2)

        class Negate(Statistic):
            description = "Values negated."

            def compute(self, data):
                data = clean(data)
                return Series(data.timestamps, -data.values)
        """)
    monkeypatch.syspath_prepend(str(site))


def offered(app):
    return app.get("/v1/capabilities").json["statistics"]


def status(app):
    return app.get("/v1/status").json["statistics"]


def add_metric(app, values):
    metric = app.post_json("/v1/metric", {"name": "m"}).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures",
                  [{"timestamp": i, "value": v} for i, v in enumerate(values)])
    return metric


def compute(app, metric, query, status=200):
    response = app.get(f"/v1/metric/{metric}/measures?{query}",
                       status=status)
    return [point[2] for point in response.json] if status == 200 \
        else response.json


def test_default_offers_every_installed_statistic(app):
    assert BUILTIN in offered(app)
    assert status(app)["failed"] == {}


def test_disabled_statistic_is_gone_and_named_in_the_400(make_app):
    app = make_app(statistics={"disabled": BUILTIN})
    names = offered(app)
    assert BUILTIN not in names and names
    assert BUILTIN not in app.get("/v1/capabilities").json[
        "statistics_details"]
    assert BUILTIN not in status(app)["loaded"]
    assert BUILTIN not in status(app)["failed"]

    metric = add_metric(app, [1, 2, 3])
    error = compute(app, metric, f"stat={BUILTIN}&window=2", status=400)
    assert error["parameter"] == "stat"
    assert repr(BUILTIN) in error["description"]
    assert error["description"].endswith("available: " + ", ".join(names))


def test_enabled_offers_only_the_names_listed(make_app):
    app = make_app(statistics={"enabled": "moving-sum,\n  moving-max"})
    assert offered(app) == ["moving-max", "moving-sum"]
    metric = add_metric(app, [1, 5, 2])
    assert compute(app, metric, "stat=moving-max&window=2") == [5, 5]
    error = compute(app, metric, f"stat={BUILTIN}&window=2", status=400)
    assert error["description"] == (
        f"Unknown statistic {BUILTIN!r}; available: moving-max, moving-sum")


def test_disabled_wins_over_enabled(make_app):
    app = make_app(statistics={"enabled": "moving-sum, moving-max",
                               "disabled": "moving-max"})
    assert offered(app) == ["moving-sum"]


def test_enabled_name_not_installed_is_logged_and_ignored(make_app, caplog):
    with caplog.at_level(logging.WARNING, "statsvc.api.statistics_registry"):
        app = make_app(statistics={"enabled": "moving-sum, no-such-stat"})
    assert offered(app) == ["moving-sum"]
    assert status(app)["failed"] == {}
    assert "no-such-stat" in caplog.text and "not installed" in caplog.text


def test_configuration_file_controls_the_statistics(tmp_path, monkeypatch):
    conf = tmp_path / "statsvc.conf"
    conf.write_text("[statistics]\nenabled = moving-average, moving-median,"
                    " moving-sum\ndisabled = moving-median\n")
    monkeypatch.setenv("STATSVC_CONFIG", str(conf))
    monkeypatch.setenv("STATSVC_DATA_DIR", str(tmp_path / "data"))
    app = webtest.TestApp(setup_app())
    assert offered(app) == ["moving-average", "moving-sum"]


def test_third_party_statistics_are_enabled_by_name(make_app, third_party):
    app = make_app()
    assert {"cfgtest-double", "cfgtest-negate", BUILTIN} <= set(offered(app))
    app = make_app(statistics={"disabled": "cfgtest-negate"})
    assert "cfgtest-double" in offered(app)
    assert "cfgtest-negate" not in offered(app)
    app = make_app(statistics={"enabled": "cfgtest-negate"})
    assert offered(app) == ["cfgtest-negate"]
    metric = add_metric(app, [1, -2.5])
    assert compute(app, metric, "stat=cfgtest-negate") == [-1, 2.5]


def test_broken_plugin_is_reported_and_the_rest_works(make_app,
                                                      broken_plugin):
    app = make_app()
    failed = status(app)["failed"]
    assert list(failed) == ["cfgtest-broken"]
    assert failed["cfgtest-broken"]["target"] == \
        "statsvc_cfgtest_broken:Broken"
    assert failed["cfgtest-broken"]["error"].startswith(
        "ModuleNotFoundError: ")
    assert "statsvc_cfgtest_missing_dependency" in \
        failed["cfgtest-broken"]["error"]
    assert broken_plugin.exists()  # it was tried
    assert "cfgtest-broken" not in offered(app)
    metric = add_metric(app, [1, 2, 3])
    assert compute(app, metric, f"stat={BUILTIN}&window=2") == [1.5, 2.5]


@pytest.mark.parametrize("statistics", [
    {"disabled": "cfgtest-broken"},
    {"enabled": f"{BUILTIN}, moving-sum"},
], ids=["disabled", "not-enabled"])
def test_broken_plugin_turned_off_is_never_imported(make_app, broken_plugin,
                                                    statistics):
    app = make_app(statistics=statistics)
    assert status(app)["failed"] == {}
    assert not broken_plugin.exists()
    assert BUILTIN in offered(app)


def test_plugin_breaking_the_contract_is_reported(make_app, tmp_path,
                                                  monkeypatch):
    site = tmp_path / "site"
    install(site, "statsvc_cfgtest_contract", {"cfgtest-duck": "Duck"}, """
        class Duck:
            description = "Looks like a statistic, is not one."
            parameters = ()

            def compute(self, data):
                return data
        """)
    monkeypatch.syspath_prepend(str(site))
    app = make_app()
    failed = status(app)["failed"]
    assert list(failed) == ["cfgtest-duck"]
    assert failed["cfgtest-duck"]["error"].startswith("ContractError: ")
    assert "cfgtest-duck" not in offered(app)
    assert make_app(statistics={"disabled": "cfgtest-duck"}).get(
        "/v1/status").json["statistics"]["failed"] == {}
