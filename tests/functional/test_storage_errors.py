"""Storage exceptions become JSON errors with the right status."""
import json
import logging
import uuid

import pytest

from statsvc.api import errors
from statsvc.storage import StorageError, UnknownDriver, load_driver


def test_metric_id_taken_is_a_409(app, monkeypatch):
    """Two metrics drawing the same id: the store refuses the second."""
    taken = uuid.UUID("00000000-0000-4000-8000-000000000409")
    monkeypatch.setattr(uuid, "uuid4", lambda: taken)
    first = app.post_json("/v1/metric", {"name": "first"}, status=201).json
    assert first["id"] == str(taken)

    resp = app.post_json("/v1/metric", {"name": "second"}, status=409)
    assert resp.content_type == "application/json"
    assert resp.json == {"code": 409, "title": "Conflict",
                         "description": f"Metric {taken} already exists"}
    assert app.get(f"/v1/metric/{taken}").json["name"] == "first"


@pytest.fixture
def store(tmp_path):
    """A real driver, raising the exceptions the API sees."""
    driver = load_driver({"driver": "sqlite", "data_dir": str(tmp_path)})
    yield driver
    driver.close()


def error_of(call):
    with pytest.raises(StorageError) as info:
        call()
    response = errors.from_exception(info.value)
    assert response.content_type == "application/json"
    return response.status_int, json.loads(response.body)["description"]


def test_documents_missing_or_taken_are_404_and_409(store):
    assert error_of(lambda: store.get_document("archive_policy", "gold")) \
        == (404, "Archive policy gold does not exist")
    store.create_document("archive_policy", "gold", {"name": "gold"})
    assert error_of(lambda: store.create_document(
        "archive_policy", "gold", {"name": "gold"})) == (
        409, "Archive policy gold already exists")


def unknown_driver():
    with pytest.raises(UnknownDriver) as info:
        load_driver({"driver": "no-such-driver"})
    return info.value


@pytest.mark.parametrize("make_exception", [
    unknown_driver, lambda: StorageError("chunk 12 is unreadable")],
    ids=["UnknownDriver", "StorageError"])
def test_other_storage_errors_are_a_500_told_in_the_log(make_exception,
                                                        caplog):
    exc = make_exception()
    with caplog.at_level(logging.ERROR, "statsvc.api.errors"):
        resp = errors.from_exception(exc)
    assert resp.status_int == 500
    assert json.loads(resp.body) == {
        "code": 500, "title": "Internal Server Error",
        "description": "Storage error; the server log has the details"}
    assert str(exc) in caplog.text
