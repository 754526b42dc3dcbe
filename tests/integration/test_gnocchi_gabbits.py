"""Gnocchi 4.7.1's own API tests (gabbi) against statsvc under uwsgi.

Each file runs unchanged against a fresh server; every test passes except
those in :data:`~tests.integration.gabbi_expected.EXPECTED_FAILURES`, and
those must still fail (those in ``MAY_FAIL`` may do either). The files are
downloaded from the package registry on first use (cached); without it the
tests skip, or fail under ``STATSVC_REQUIRE_REDIS=1`` (CI), which requires
every integration test.
"""
import pytest

from tests.integration import gabbi_loader
from tests.integration.gabbi_expected import EXPECTED_FAILURES, MAY_FAIL
from tests.redis_helpers import skip_unless_required

# The files for the endpoints statsvc serves (issues 15 to 18).
FILES = ("archive", "archive-rule", "base", "metric", "metric-list",
         "metric-granularity", "metric-timestamp-format", "batch-measures",
         "aggregation", "resample-calendar", "pagination", "resource",
         "resource-type", "search", "history", "transformedids",
         "create-metric-with-resource-id", "async", "search-metric",
         "metric-derived", "aggregates-with-metric-ids",
         "aggregates-with-resources", "resource-aggregation",
         # issue 18: the ingest protocols
         "influxdb", "prometheus")


@pytest.fixture(scope="session")
def gabbits():
    try:
        return gabbi_loader.gabbits_dir()
    except gabbi_loader.Unavailable as e:
        skip_unless_required(f"Gnocchi's gabbi files are unavailable: {e}")


@pytest.mark.parametrize("name", FILES)
def test_gnocchi_gabbi_file(gabbits, tmp_path, name):
    outcomes = gabbi_loader.run_file(str(gabbits / f"{name}.yaml"),
                                     tmp_path / "data")
    expected = EXPECTED_FAILURES.get(name, {})
    may_fail = MAY_FAIL.get(name, {})
    assert set(expected) | set(may_fail) <= set(outcomes), \
        "unknown names in the lists"
    failed = {test: error for test, error in outcomes.items()
              if error and test not in expected and test not in may_fail}
    assert not failed, "\n\n".join(f"{test}:\n{error}"
                                   for test, error in failed.items())
    passed = [test for test in expected if outcomes[test] is None]
    assert not passed, f"listed as failing but passed: {passed}"
