"""Retention, labels and the newest timestamp, against each driver."""
import pytest

from statsvc.storage import MetricNotFound
from tests.unit.storage.helpers import assert_series, new_metric, seconds


def test_shorter_retention_applies_to_reads_at_once(driver):
    metric_id = new_metric(driver, timespan_ns=100 * 10**9, name="m")
    driver.add_measures({metric_id: (seconds(0, 50, 90), [0.0, 5.0, 9.0])})
    driver.set_retention(metric_id, 30 * 10**9)
    assert_series(driver.get_measures(metric_id), seconds(90), [9.0])
    assert driver.get_metric(metric_id) == {
        "id": metric_id, "name": "m", "timespan_ns": 30 * 10**9}
    driver.add_measures({metric_id: (seconds(95), [9.5])})
    assert_series(driver.get_measures(metric_id), seconds(90, 95),
                  [9.0, 9.5])


def test_longer_or_no_retention_keeps_more_from_now_on(driver):
    metric_id = new_metric(driver, timespan_ns=10 * 10**9)
    driver.add_measures({metric_id: (seconds(0, 20), [0.0, 2.0])})
    driver.set_retention(metric_id, None)
    driver.add_measures({metric_id: (seconds(5, 40), [0.5, 4.0])})
    assert_series(driver.get_measures(metric_id), seconds(5, 20, 40),
                  [0.5, 2.0, 4.0])
    assert driver.get_metric(metric_id)["timespan_ns"] is None


def test_errors(driver):
    with pytest.raises(MetricNotFound):
        driver.set_retention("nope", 10)
    metric_id = new_metric(driver)
    with pytest.raises(ValueError):
        driver.set_retention(metric_id, 0)


def test_newest_timestamp(driver):
    metric_id = new_metric(driver, timespan_ns=10 * 10**9)
    assert driver.newest_timestamp(metric_id) is None
    driver.add_measures({metric_id: (seconds(30, 5), [3.0, 0.5])})
    driver.add_measures({metric_id: (seconds(20), [2.0])})
    assert driver.newest_timestamp(metric_id) == 30 * 10**9
    with pytest.raises(MetricNotFound):
        driver.newest_timestamp("nope")


def test_relabel_metric_sets_name_and_resource(driver):
    metric_id = new_metric(driver, name="old", unit="ms")
    driver.relabel_metric(metric_id, "cpu", "r1")
    assert driver.get_metric(metric_id) == {
        "id": metric_id, "name": "cpu", "unit": "ms", "resource_id": "r1"}
    driver.relabel_metric(metric_id, "cpu", None)
    assert driver.get_metric(metric_id)["resource_id"] is None
    with pytest.raises(MetricNotFound):
        driver.relabel_metric("00000000-0000-4000-8000-000000000000", "x",
                              None)
