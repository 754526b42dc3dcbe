"""A third-party statistic, end to end, as an operator lives it.

The quick start's virtual environment (``installed`` in ``conftest.py``: a
fresh clone, ``pip install .``) runs ``statsvc-api --touch-reload FILE`` runs from it, and the sample
distribution ``tests/fixtures/statsvc-sample-plugin`` (``hampel-filter``)
is installed next to it by ``statsvc-plugins install --touch-reload FILE``
(pip, then a touch of the reload file), used, upgraded by pip and a touch,
and ``statsvc-plugins uninstall``-ed, each command saying what changed.  The service has its own
``XDG_CACHE_HOME``, so the plugin core's real on-disk entry point cache is
in play and must never hide an install or an uninstall.  Then a broken
distribution (``tests/fixtures/statsvc-broken-plugin``) must not take the
service down.

The module costs 35-75 s on a 2-core machine, depending on its load.
"""
import configparser
import json
import os
import statistics
import sys
import time
from pathlib import Path

import pytest

from tests.integration.install import copy_project, run
from tests.integration.server import Server

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = FIXTURES / "statsvc-sample-plugin"
BROKEN = FIXTURES / "statsvc-broken-plugin"
WORKERS = 2


@pytest.fixture(scope="module")
def venv(installed):
    """The quick start's virtual environment: this statsvc, nothing more
    (each test leaves it so)."""
    return installed.venv


@pytest.fixture
def service_env(tmp_path):
    """The environment of the service and of ``statsvc-plugins``."""
    return {
        # The plugin core's disk cache: this test's own, so the real one.
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        # Nothing from the developer's environment: empty means unset.
        "PYTHONPATH": "", "STATSVC_CONFIG": "", "STATSVC_EXT_CACHE": "",
    }


def touch(path):
    """``touch FILE``, with an mtime a whole second past the previous one:
    uwsgi compares whole seconds."""
    stamp = max(time.time(), os.stat(path).st_mtime + 1)
    os.utime(path, (stamp, stamp))


def reload_service(server, reload_file, touch_with=touch):
    """Touch the reload file (``touch_with`` it) and wait until every new
    worker answers."""
    with open(server.log_path, "rb") as log:
        # Server.wait_ready counts the workers that loaded the app since
        # this offset: only the new ones.
        server.log_offset = log.seek(0, os.SEEK_END)
    touch_with(reload_file)
    server.wait_ready(timeout=60)


def get(server, path, status=200):
    code, body = server.request("GET", path)
    assert code == status, (code, body)
    return body


def hampel(values, half_window=3, threshold=3.0):
    """The Hampel filter, one point at a time, windows cut at the ends."""
    out = []
    for i, x in enumerate(values):
        window = values[max(0, i - half_window):i + half_window + 1]
        median = statistics.median(window)
        mad = 1.4826 * statistics.median(abs(v - median) for v in window)
        out.append(median if abs(x - median) > threshold * mad else x)
    return out


def iso(second):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(second))


T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
VALUES = [10.0, 10.5, 9.8, 10.2, 55.0, 10.1, 9.9, 10.4, -30.0, 10.0,
          10.3, 9.7, 10.6, 10.1, 9.95, 10.05, 80.0, 10.2]


def add_metric(server):
    status, metric = server.request("POST", "/v1/metric", {"name": "temp"})
    assert status == 201, metric
    path = f"/v1/metric/{metric['id']}/measures"
    status, _ = server.request("POST", path, [
        {"timestamp": T0 + 60 * i, "value": v} for i, v in enumerate(VALUES)])
    assert status == 202
    return path


def assert_unknown(server, path, name):
    error = get(server, f"{path}?stat={name}", status=400)
    available = get(server, "/v1/capabilities")["statistics"]
    assert "moving-average" in available and name not in available
    assert error["parameter"] == "stat"
    assert error["description"] == (
        f"Unknown statistic {name!r}; available: {', '.join(available)}")


def assert_aggregates_operation(server):
    """The plugin is an operation of ``POST /v1/aggregates`` too, its
    parameters checked as on GET measures."""
    status, _ = server.request("POST", "/v1/archive_policy", {
        "name": "minute", "definition": [{"granularity": 60,
                                          "points": 100}]})
    assert status == 201
    status, metric = server.request("POST", "/v1/metric",
                                    {"archive_policy_name": "minute"})
    status, _ = server.request(
        "POST", f"/v1/metric/{metric['id']}/measures",
        [{"timestamp": T0 + 60 * i, "value": v} for i, v in enumerate(VALUES)])
    assert status == 202
    expression = f"(stat hampel-filter (metric {metric['id']} mean) " \
                 f"half_window=2 threshold=2.5)"
    status, body = server.request("POST", "/v1/aggregates",
                                  {"operations": expression})
    assert status == 200, body
    assert [p[2] for p in body["measures"][metric["id"]]["mean"]] == \
        pytest.approx(hampel(VALUES, 2, 2.5))
    status, body = server.request("POST", "/v1/aggregates", {
        "operations": ["stat", "hampel-filter",
                       ["metric", metric["id"], "mean"],
                       {"half_window": 51}]})
    assert (status, body["parameter"]) == (400, "half_window"), body


def statsvc_plugins(venv, service_env, *args):
    return run([venv.bin / "statsvc-plugins", *args],
               cwd=venv.path, env=dict(os.environ, **service_env),
               check=False)


def plugins_list(venv, service_env, *args):
    return statsvc_plugins(venv, service_env, "list", *args)


def plugins_command(venv, service_env, *args):
    """``statsvc-plugins *args`` run by a touch: its output, once done."""
    done = []

    def command(reload_file):
        done.append(statsvc_plugins(venv, service_env, *args,
                                    "--touch-reload", reload_file))
    return command, done


def test_install_use_and_uninstall_a_third_party_statistic(
        venv, service_env, tmp_path):
    reload_file = tmp_path / "reload"
    reload_file.touch()
    with Server(tmp_path / "data", workers=WORKERS, env=service_env,
                bin_dir=venv.bin, log_path=tmp_path / "api.log", cwd=tmp_path,
                extra_args=["--touch-reload", reload_file]) as server:
        assert os.listdir(tmp_path / "cache" / "statsvc"), \
            "the service keeps an entry point cache"
        caps = get(server, "/v1/capabilities")
        assert "hampel-filter" not in caps["statistics"]
        path = add_metric(server)
        assert_unknown(server, path, "hampel-filter")

        install, done = plugins_command(
            venv, service_env, "install",
            copy_project(SAMPLE, tmp_path / SAMPLE.name))
        reload_service(server, reload_file, install)
        assert done[0].returncode == 0, done[0].stderr
        assert done[0].stdout.endswith(
            f"touched {reload_file}: the workers reload\n"
            "+ hampel-filter = statsvc_hampel:HampelFilter"
            " [statsvc-hampel 1.0.0]\n")

        caps = get(server, "/v1/capabilities")
        assert "hampel-filter" in caps["statistics"]
        details = caps["statistics_details"]["hampel-filter"]
        assert details["description"].startswith("Hampel filter: ")
        assert details["parameters"] == {
            "half_window": {"type": "int", "default": 3, "min": 1, "max": 50,
                            "required": False, "help":
                            "points each side of a point in its window"},
            "threshold": {"type": "float", "default": 3.0, "min": 0.0,
                          "max": 1e6, "required": False,
                          "help": "outlier limit, in MADs scaled by 1.4826"},
        }
        status = get(server, "/v1/status")["statistics"]
        assert "hampel-filter" in status["loaded"] and status["failed"] == {}
        # The quick start installs no extra: the statistic that needs one
        # says so rather than failing.
        assert status["unavailable"]["stl-residual"]["install"] == \
            "pip install 'statsvc[stl]'"
        assert "pip install 'statsvc[stl]'" in get(
            server, f"{path}?stat=stl-residual", status=501)["description"]

        for query, expected in [
                ("", hampel(VALUES)),
                ("&half_window=2&threshold=2.5", hampel(VALUES, 2, 2.5)),
                ("&half_window=1&threshold=0", hampel(VALUES, 1, 0.0))]:
            points = get(server, f"{path}?stat=hampel-filter{query}")
            assert [p[0] for p in points] == [
                iso(T0 + 60 * i) for i in range(len(VALUES))]
            assert [p[2] for p in points] == pytest.approx(expected), query
        # The data exercises the filter: the three spikes are replaced.
        filtered = hampel(VALUES)
        assert all(filtered[i] != VALUES[i] for i in (4, 8, 16))
        error = get(server, f"{path}?stat=hampel-filter&half_window=51",
                    status=400)
        assert error["parameter"] == "half_window"
        assert "<= 50" in error["description"]
        assert_aggregates_operation(server)

        listing = plugins_list(venv, service_env, "statsvc.statistics",
                               "--json")
        assert listing.returncode == 0, listing.stderr
        row, = [r for r in json.loads(listing.stdout)
                if r["name"] == "hampel-filter"]
        assert (row["distribution"], row["version"], row["loads"]) == (
            "statsvc-hampel", "1.0.0", True)
        listing = plugins_list(venv, service_env, "statsvc.statistics")
        line, = [line for line in listing.stdout.splitlines()
                 if "hampel-filter" in line]
        assert f"\n    {line}\n" in (ROOT / "README.rst").read_text()

        # An upgrade: same module path, new metadata and code.
        upgrade = copy_project(SAMPLE, tmp_path / "statsvc-hampel-1.1")
        for name, old, new in [
                ("setup.cfg", "version = 1.0.0", "version = 1.1.0"),
                ("statsvc_hampel/__init__.py", "default=3.0", "default=1.0")]:
            text = (upgrade / name).read_text()
            assert old in text
            (upgrade / name).write_text(text.replace(old, new))
        venv.pip("install", upgrade)
        reload_service(server, reload_file)
        details = get(server, "/v1/capabilities")["statistics_details"]
        assert details["hampel-filter"]["parameters"]["threshold"][
            "default"] == 1.0
        points = get(server, f"{path}?stat=hampel-filter")
        assert [p[2] for p in points] == pytest.approx(hampel(VALUES, 3, 1))
        assert hampel(VALUES, 3, 1) != hampel(VALUES)

        uninstall, done = plugins_command(
            venv, service_env, "uninstall", "-y", "statsvc-hampel")
        reload_service(server, reload_file, uninstall)
        assert done[0].stdout.endswith(
            "- hampel-filter = statsvc_hampel:HampelFilter"
            " [statsvc-hampel 1.1.0]\n")

        # A stale entry point would show up as a failure to import it.
        status = get(server, "/v1/status")["statistics"]
        assert "hampel-filter" not in status["loaded"]
        assert status["failed"] == {}
        assert_unknown(server, path, "hampel-filter")
        assert get(server, f"{path}?stat=moving-average&window=2")[0][2] == \
            pytest.approx(10.25)
        listing = plugins_list(venv, service_env, "statsvc.statistics")
        assert listing.returncode == 0, listing.stdout + listing.stderr
        assert "hampel-filter" not in listing.stdout


def test_a_broken_third_party_statistic_is_reported_not_fatal(
        venv, service_env, tmp_path):
    result = statsvc_plugins(venv, service_env, "install",
                             copy_project(BROKEN, tmp_path / BROKEN.name))
    try:
        # Installed, and said not to load: exit status 1.
        assert result.returncode == 1, result.stderr
        assert result.stdout.splitlines()[-2:] == [
            "+ broken-stat = statsvc_broken:BrokenStatistic"
            " [statsvc-broken 1.0.0]",
            "! broken-stat fails to load: ModuleNotFoundError: No module"
            " named 'statsvc_missing_dependency'"]
        with Server(tmp_path / "data", workers=WORKERS, env=service_env,
                    bin_dir=venv.bin, log_path=tmp_path / "api.log",
                    cwd=tmp_path) as server:
            status = get(server, "/v1/status")["statistics"]
            assert list(status["failed"]) == ["broken-stat"]
            failure = status["failed"]["broken-stat"]
            assert failure["target"] == "statsvc_broken:BrokenStatistic"
            assert failure["error"] == ("ModuleNotFoundError: No module named"
                                        " 'statsvc_missing_dependency'")
            assert "moving-average" in status["loaded"]
            assert "broken-stat" not in get(server, "/v1/capabilities")[
                "statistics"]
            path = add_metric(server)
            error = get(server, f"{path}?stat=broken-stat", status=500)
            assert error["description"] == (
                "Statistic 'broken-stat' failed to load: " + failure["error"])
            averages = get(server, f"{path}?stat=moving-average&window=3")
            assert [p[2] for p in averages] == pytest.approx(
                [sum(VALUES[i - 2:i + 1]) / 3 for i in range(2, len(VALUES))])
            assert "broken-stat" in server.read_log()

        listing = plugins_list(venv, service_env)
        assert listing.returncode != 0
        line, = [line for line in listing.stdout.splitlines()
                 if "broken-stat" in line]
        assert "statsvc-broken" in line and "statsvc_missing_dependency" in line

        # The operator's remedy until the plugin is fixed: disable it.
        conf = tmp_path / "statsvc.conf"
        conf.write_text("[statistics]\ndisabled = broken-stat\n")
        with Server(tmp_path / "data", workers=WORKERS, env=service_env,
                    bin_dir=venv.bin, log_path=tmp_path / "api2.log",
                    cwd=tmp_path, extra_args=["--config", conf]) as server:
            status = get(server, "/v1/status")["statistics"]
            assert status["failed"] == {}
            assert "moving-average" in status["loaded"]
    finally:
        venv.uninstall("statsvc-broken")


# README.rst's "Writing a statistic" stays true: its plugin is the sample
# distribution's, its setup.cfg stanza is in the sample's, its tests pass.

def readme_blocks():
    """The literal blocks (after ``::``) of the README section, dedented."""
    text = (ROOT / "README.rst").read_text()
    section = text.split("\nWriting a statistic\n")[1].split("\n=====")[0]
    blocks = []
    lines = section.splitlines()
    for i, line in enumerate(lines):
        if line.endswith("::"):
            body = []
            for following in lines[i + 2:]:
                if following and not following.startswith("    "):
                    break
                body.append(following[4:])
            blocks.append("\n".join(body).strip("\n") + "\n")
    return blocks


def readme_block(starting_with):
    block, = [b for b in readme_blocks() if b.startswith(starting_with)]
    return block


def test_readme_plugin_is_the_sample_plugin():
    plugin = SAMPLE / "statsvc_hampel" / "__init__.py"
    assert readme_block('"""hampel-filter') == plugin.read_text()


def test_readme_setup_cfg_stanza_is_the_sample_one():
    shown, real = configparser.ConfigParser(), configparser.ConfigParser()
    shown.read_string(readme_block("[options]"))
    real.read(SAMPLE / "setup.cfg")
    for section in shown.sections():
        assert dict(shown[section]) == {
            key: real[section][key] for key in shown[section]}
    assert real["options.entry_points"]["statsvc.statistics"].strip() == \
        "hampel-filter = statsvc_hampel:HampelFilter"


def test_readme_plugin_tests_pass(monkeypatch):
    monkeypatch.syspath_prepend(str(SAMPLE))
    namespace = {}
    exec(compile(readme_block("import pytest"), "README.rst", "exec"),
         namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) == 3
    try:
        for test in tests:
            test()
    finally:
        sys.modules.pop("statsvc_hampel", None)
