"""Gnocchi's own functional tests (gabbi YAML files) against a live statsvc.

The files come from the ``gnocchi`` wheel on the package registry, fetched
once with ``pip download`` into ``$XDG_CACHE_HOME/statsvc-tests`` and run
unchanged. Gnocchi's fixture (``gnocchi.tests.functional.fixtures``) needs
Gnocchi itself; :class:`ConfigFixture`, found by the same name, stands in:
it starts a fresh ``statsvc-api`` (real uwsgi) on an empty store for each
file, as Gnocchi's gives each file a fresh indexer and storage.
"""
import base64
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest
import math
import zipfile

import yaml
from gabbi import driver, fixture

from tests.integration.server import Server

GNOCCHI_VERSION = "4.7.1"
GABBITS = "gnocchi/tests/functional/gabbits/"
ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:").decode()}


class Unavailable(Exception):
    """The gnocchi distribution could not be downloaded."""


def cache_dir():
    """``$XDG_CACHE_HOME/statsvc-tests``, i.e. under ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return pathlib.Path(base, "statsvc-tests")


def gabbits_dir():
    """The directory of Gnocchi's gabbi files, downloaded on first use.

    :raises Unavailable: if ``pip download`` fails (no registry).
    """
    root = cache_dir() / f"gnocchi-{GNOCCHI_VERSION}"
    target = root / GABBITS
    if target.is_dir():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as download:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps",
             "--only-binary", ":all:", "--disable-pip-version-check",
             # Fail fast without a registry: the tests then skip.
             "--retries", "1", "--timeout", "15",
             "-d", download, f"gnocchi=={GNOCCHI_VERSION}"],
            capture_output=True, text=True, timeout=300)
        wheels = list(pathlib.Path(download).glob("gnocchi-*.whl"))
        if done.returncode or not wheels:
            raise Unavailable(f"pip download gnocchi=={GNOCCHI_VERSION} "
                              f"failed: {done.stderr.strip()[-500:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            members = [n for n in wheel.namelist() if n.startswith(GABBITS)]
            # Extracted beside, then renamed: a half-extracted directory
            # is never taken for a complete one.
            wheel.extractall(download, members)
        os.replace(pathlib.Path(download, "gnocchi"), root / "gnocchi")
    return target


class AssertNAN:
    """Gnocchi's ``!AssertNAN`` YAML tag: equal to a NaN (a JSON null is
    not one)."""

    def __eq__(self, other):
        return isinstance(other, float) and math.isnan(other)

    def __repr__(self):
        return "!AssertNAN"


# Gnocchi's own gabbi runner registers the tag the same way.
yaml.add_constructor("!AssertNAN", lambda loader, node: AssertNAN())


class ConfigFixture(fixture.GabbiFixture):
    """Starts and stops the fresh ``statsvc-api`` of one file: the files
    name this fixture, and gabbi finds it in this module."""

    #: The :class:`Server` of the file being run, set by :func:`run_file`.
    server = None

    def start_fixture(self):
        server = type(self).server
        server.start()
        # Gnocchi's test store starts without archive policies; a fresh
        # statsvc store has Gnocchi's four defaults (gnocchi-upgrade's).
        for name in ("low", "medium", "high", "bool"):
            status, _ = server.request("DELETE", f"/v1/archive_policy/{name}",
                                       headers=ADMIN)
            assert status == 204, (name, status)

    def stop_fixture(self):
        type(self).server.stop()


class _Result(unittest.TestResult):
    """Records each gabbi test's outcome by its name in the YAML file."""

    def __init__(self):
        super().__init__()
        self.outcomes = {}

    @staticmethod
    def _name(test):
        return test.test_data["name"]

    def stopTest(self, test):
        super().stopTest(test)
        # gabbi gives each test its own httpx client and closes none: each
        # idle keep-alive connection holds a uwsgi thread, and once all are
        # held a request waits for socket-timeout (~4 s).
        client = getattr(getattr(test, "http", None), "client", None)
        if client is not None:
            client.close()

    def addSuccess(self, test):
        self.outcomes[self._name(test)] = None

    def addFailure(self, test, err):
        self.outcomes[self._name(test)] = self._exc_info_to_string(err, test)

    addError = addFailure

    def addSkip(self, test, reason):
        self.outcomes[self._name(test)] = None

    def addExpectedFailure(self, test, err):
        self.outcomes[self._name(test)] = None

    def addUnexpectedSuccess(self, test):
        self.outcomes[self._name(test)] = None


def run_file(path, data_dir):
    """Run one gabbi file against a fresh statsvc; ``{test name: None if it
    passed, else the failure}``, in the file's order."""
    config = pathlib.Path(f"{data_dir}.conf")
    # Gnocchi's fixture sets a page size that its pagination tests reach.
    # Metrics without policy are refused, as Gnocchi does: else the files'
    # "$[0]" of a listing would be a random one of more metrics.
    config.write_text("[api]\nmax_limit = 7\n"
                      "metrics_without_policy = false\n")
    server = Server(data_dir, workers=2, extra_args=["--config", str(config)])
    ConfigFixture.server = server
    with tempfile.TemporaryDirectory() as single:
        # build_tests loads a directory: give it this file alone.
        os.symlink(path, os.path.join(single, os.path.basename(path)))
        # and the bodies it sends from files (prometheus_fixtures/).
        fixtures = path.removesuffix(".yaml") + "_fixtures"
        if os.path.isdir(fixtures):
            os.symlink(fixtures, os.path.join(single,
                                              os.path.basename(fixtures)))
        suite = driver.build_tests(
            single, unittest.TestLoader(), host="127.0.0.1",
            port=server.port, fixture_module=sys.modules[__name__],
            test_loader_name="gnocchi", safe_yaml=False,
            # Plain HTTP: loading CA certificates for each test's client
            # cost ~60 ms a request.
            cert_validate=False)
        result = _Result()
        suite.run(result)
    # A fixture that failed to start is reported on the suite, not a test.
    for test, err in result.errors + result.failures:
        if not hasattr(test, "test_data"):
            raise AssertionError(f"{path}: {err}")
    return result.outcomes
