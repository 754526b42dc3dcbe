"""Loading the configured driver through the plugin core."""
import pytest

from statsvc.storage import (
    StorageUnavailable, UnknownDriver, load_driver, sqlite_driver)


def test_loads_the_named_driver(tmp_path):
    driver = load_driver({"driver": "sqlite", "data_dir": str(tmp_path)})
    assert isinstance(driver, sqlite_driver.SQLiteDriver)
    assert driver.name == "sqlite"


def test_sqlite_is_the_default(tmp_path):
    assert load_driver({"data_dir": str(tmp_path)}).name == "sqlite"


def test_unknown_driver_lists_the_installed_ones():
    with pytest.raises(UnknownDriver) as info:
        load_driver({"driver": "cassandra"})
    message = str(info.value)
    assert "'cassandra'" in message
    assert "redis" in message and "sqlite" in message


def test_driver_errors_at_start_up_propagate():
    with pytest.raises(StorageUnavailable, match="127.0.0.1:1"):
        load_driver({"driver": "redis", "url": "redis://127.0.0.1:1/0",
                     "socket_connect_timeout": "0.5"})
