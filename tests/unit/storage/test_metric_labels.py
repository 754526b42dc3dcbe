"""A metric's labels (its name and resource), against each driver."""
import pytest

from statsvc.storage import MetricNotFound
from tests.unit.storage.helpers import new_metric


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
