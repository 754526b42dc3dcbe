"""What is particular to the embedded sqlite driver."""
import os
import sqlite3
import threading

import numpy as np
import pytest

from statsvc.storage import StorageUnavailable, sqlite_driver
from statsvc.storage.sqlite_driver import SQLiteDriver
from tests.unit.storage.helpers import assert_series, new_metric, seconds


def test_creates_its_data_dir(tmp_path):
    data_dir = tmp_path / "a" / "b"
    SQLiteDriver({"data_dir": str(data_dir)}).check()
    assert (data_dir / "statsvc.sqlite").is_file()


def test_needs_a_data_dir():
    with pytest.raises(StorageUnavailable, match="data_dir"):
        SQLiteDriver({})


def test_unusable_data_dir_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageUnavailable, match=str(blocker)):
        SQLiteDriver({"data_dir": str(blocker / "sub")})


def test_uses_the_write_ahead_log(tmp_path):
    driver = SQLiteDriver({"data_dir": str(tmp_path)})
    mode, = driver._conn().execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_one_driver_shared_by_threads(tmp_path):
    driver = SQLiteDriver({"data_dir": str(tmp_path)})
    metric_ids = [new_metric(driver) for _ in range(4)]
    errors = []

    def write(metric_id):
        try:
            for i in range(50):
                driver.add_measures({metric_id: (seconds(i), [float(i)])})
        except Exception as exc:  # reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(m,)) for m in metric_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for metric_id in metric_ids:
        assert_series(driver.get_measures(metric_id),
                      seconds(*range(50)), np.arange(50.0))


def test_small_appends_keep_few_fragments_per_chunk(tmp_path):
    """Appending point by point folds fragments like a binary counter, so a
    chunk holds O(log n) of them and reads stay a concatenation."""
    driver = SQLiteDriver({"data_dir": str(tmp_path)})
    metric_id = new_metric(driver)
    for i in range(1000):
        driver.add_measures({metric_id: (seconds(i), [float(i)])})
    counts = driver._conn().execute(
        "SELECT count(*) FROM fragment GROUP BY chunk").fetchall()
    assert counts == [(6,)]   # 1000 = 0b1111101000
    assert_series(driver.get_measures(metric_id),
                  seconds(*range(1000)), np.arange(1000.0))


def test_a_forked_child_opens_its_own_connection(tmp_path):
    driver = SQLiteDriver({"data_dir": str(tmp_path)})
    metric_id = new_metric(driver)
    parent_conn = driver._conn()
    pid = os.fork()
    if pid == 0:
        # Exit status 0 only if the child wrote through a new connection;
        # never return into pytest.
        status = 1
        try:
            if driver._conn() is not parent_conn:
                driver.add_measures({metric_id: (seconds(1), [1.0])})
                status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert driver._conn() is parent_conn
    driver.add_measures({metric_id: (seconds(2), [2.0])})
    assert_series(driver.get_measures(metric_id), seconds(1, 2), [1.0, 2.0])


def test_resource_lookups_use_the_document_indexes(tmp_path):
    """The SELECT find_documents runs is answered from an index, not a
    scan of every document, on a store the driver made."""
    SQLiteDriver({"data_dir": str(tmp_path)}).close()
    conn = sqlite3.connect(tmp_path / "statsvc.sqlite")
    try:
        for field in sqlite_driver._INDEXED_FIELDS:
            sql, path = sqlite_driver.find_sql(field, 2)
            plan = conn.execute("EXPLAIN QUERY PLAN " + sql,
                                ("resource", *path, "a", "b")).fetchall()
            assert f"USING INDEX document_{field} (kind=? AND <expr>=?)" \
                in str(plan), plan
        # Another field reads every document of the kind.
        sql, path = sqlite_driver.find_sql("host", 1)
        plan = conn.execute("EXPLAIN QUERY PLAN " + sql,
                            ("resource", *path, "a")).fetchall()
        assert "<expr>" not in str(plan), plan
    finally:
        conn.close()


def test_the_default_listing_reads_its_index_in_order(tmp_path):
    """Resources listed in Gnocchi's default order come from an index in
    that order: the first page reads a page's worth, sorting nothing."""
    SQLiteDriver({"data_dir": str(tmp_path)}).close()
    conn = sqlite3.connect(tmp_path / "statsvc.sqlite")
    try:
        plan = str(conn.execute(
            "EXPLAIN QUERY PLAN " + sqlite_driver.LISTING_SQL,
            ("resource", 10, 0)).fetchall())
        assert "USING INDEX document_listing (kind=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    finally:
        conn.close()
