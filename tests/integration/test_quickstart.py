"""The README's quick start, as a new user runs it, and uwsgi's ini.

``installed`` (``conftest.py``) is a fresh clone where the README's install
command ran, in a fresh virtual environment: no compiled extension sits in
the clone's source tree, whose ``statsvc/`` must never shadow the installed
one, whatever the working directory.
"""
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.integration.conftest import readme_quickstart
from tests.integration.install import run
from tests.integration.server import free_port, request


@pytest.fixture
def home(tmp_path):
    """A new user's HOME: the embedded store lands in it by default."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def user_env(installed, home, **extra):
    """A shell with the venv activated, and nothing of the suite's own."""
    env = dict(HOME=str(home), XDG_DATA_HOME="", STATSVC_CONFIG="",
               STATSVC_DATA_DIR="", STATSVC_EXT_CACHE="",
               XDG_CACHE_HOME=str(home / ".cache"))
    return installed.venv.env(**dict(env, **extra))


class Started:
    """A command started from the clone's root, stopped by SIGTERM to it."""

    def __init__(self, command, installed, env, port):
        self.process = subprocess.Popen(
            command, shell=True, cwd=installed.clone, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        self.output = ""

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("exited: " + self.stop())
            try:
                if request(self.base, "GET", "/v1/capabilities")[0] == 200:
                    return self.base
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"no answer in {timeout} s: " + self.stop())

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            out = self.process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            out = self.process.communicate()[0]
        self.output = out.decode(errors="replace")
        return self.output

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def store_and_read_one_point(base):
    status, metric = request(base, "POST", "/v1/metric", {"name": "quick"})
    assert status == 201, metric
    path = f"/v1/metric/{metric['id']}/measures"
    status, _ = request(base, "POST", path, [
        {"timestamp": "2024-01-01T00:00:00", "value": 4}])
    assert status == 202
    assert request(base, "GET", path) == (
        200, [["2024-01-01T00:00:00+00:00", None, 4.0]])


def console_is_served(base):
    """The console's files come from the installed package (package_data),
    not from the clone's source tree."""
    for name, content_type in [("", "text/html"),
                               ("uPlot.iife.min.js", "text/javascript")]:
        with urllib.request.urlopen(f"{base}/console/{name}") as response:
            assert response.headers["Content-Type"].startswith(content_type)
            assert len(response.read()) > 500


def test_the_clone_has_no_compiled_extension(installed):
    """What makes the clone's root a trap: its statsvc cannot serve."""
    for package in ("statsvc", "statsvc_plugins"):
        assert not list((installed.clone / package).rglob("*.so"))
    where = run([installed.venv.bin / "python", "-c",
                 "import statsvc; print(statsvc.__file__)"],
                cwd=installed.venv.path, env=installed.venv.env()).stdout
    assert where.startswith(str(installed.venv.path)), where


def test_the_readme_quick_start_serves_from_the_clone_root(installed, home):
    _, start = readme_quickstart()
    port = free_port()
    # Verbatim but for the port: a test must not take 8041.
    with Started(f"{start} --port {port}", installed,
                 user_env(installed, home), port) as service:
        base = service.wait_until_up()
        store_and_read_one_point(base)
        console_is_served(base)
        # The embedded store is where the README says it is.
        assert (home / ".local" / "share" / "statsvc").is_dir()


def test_uwsgi_ini_serves_from_the_clone_root(installed, home):
    """An operator's ``uwsgi --ini etc/statsvc/uwsgi.ini`` from the clone,
    with the venv activated; only the port differs from the shipped file."""
    shipped = installed.clone / "etc" / "statsvc" / "uwsgi.ini"
    port = free_port()
    ini = shipped.with_name("uwsgi-test.ini")
    ini.write_text(shipped.read_text().replace(
        "127.0.0.1:8041", f"127.0.0.1:{port}"))
    env = user_env(installed, home, STATSVC_DATA_DIR=str(home / "data"))
    try:
        with Started("uwsgi --ini etc/statsvc/uwsgi-test.ini", installed,
                     env, port) as service:
            store_and_read_one_point(service.wait_until_up())
    finally:
        ini.unlink()


def test_a_source_tree_on_the_path_fails_in_one_clear_line(installed, home):
    """PYTHONPATH at the clone's sources: statsvc-api says what and how to
    fix it, before starting uwsgi."""
    env = user_env(installed, home)
    env["PYTHONPATH"] = str(installed.clone)
    result = run(["statsvc-api", "--port", str(free_port())],
                 cwd=installed.clone, env=env, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "statsvc-api: statsvc.api._triples is not built in the source tree"
        f" {installed.clone}, which comes ahead of the installed statsvc on"
        " sys.path (PYTHONPATH or the current directory): take it off the"
        f" path, or build it in place with pip install -e {installed.clone}"
        "\n")
