"""Several writer processes at once, and writers killed mid-write."""
import multiprocessing
import os
import random
import signal
import sqlite3
import time

import numpy as np

from statsvc.storage import sqlite_driver
from tests.unit.storage.helpers import (
    assert_series, new_metric, open_driver, run_writers)

# Fork, as uwsgi does: children inherit the parent's driver object.
FORK = multiprocessing.get_context("fork")

WRITERS, BATCHES, POINTS = 4, 60, 40


def _append_known_points(driver, metric_ids, writer, barrier):
    barrier.wait()
    for batch in range(BATCHES):
        # Writers interleave in time, so they share chunks and often write
        # before points another writer has already stored.
        j = np.arange(batch * POINTS, (batch + 1) * POINTS)
        ts = (j * WRITERS + writer) * 10**8
        values = writer * 1e6 + j
        driver.add_measures({m: (ts, values) for m in metric_ids})


def test_concurrent_writer_processes_lose_nothing(driver):
    # Use the driver before forking, as an application server would.
    metric_ids = [new_metric(driver), new_metric(driver)]
    driver.get_measures(metric_ids[0])
    assert run_writers(_append_known_points, (driver, metric_ids),
                       WRITERS) == [0] * WRITERS

    # Writer w's j-th point is at (j * WRITERS + w) * 0.1 s: in time order,
    # point k is the (k // WRITERS)-th point of writer k % WRITERS.
    k = np.arange(WRITERS * BATCHES * POINTS)
    for metric_id in metric_ids:
        assert_series(driver.get_measures(metric_id),
                      k * 10**8, (k % WRITERS) * 1e6 + k // WRITERS)


CRASH_POINTS = 3_000          # per batch: 30 s at 10 ms, over 3-4 chunks


def _batch(number):
    """Batch ``number``: a run of new points, plus one late point at
    ``number`` ns that rewrites the first chunk every time."""
    ts = (number * CRASH_POINTS + 1 + np.arange(CRASH_POINTS)) * 10**7
    ts = np.append(ts, number)
    return ts, np.full(len(ts), float(number))


def _write_until_killed(options, metric_ids, first, acks):
    driver = open_driver(options)
    for number in range(first, 10**6):
        ts, values = _batch(number)
        driver.add_measures({m: (ts, values) for m in metric_ids})
        acks.send(number)


def _run_and_kill(options, metric_ids, first):
    """Start a writer at batch ``first``, SIGKILL it at a random moment once
    it has acknowledged a few batches; return the numbers it acknowledged."""
    receiver, sender = FORK.Pipe(duplex=False)
    writer = FORK.Process(target=_write_until_killed,
                          args=(options, metric_ids, first, sender))
    writer.start()
    sender.close()
    acked = []
    while len(acked) < 4:
        assert receiver.poll(30), "writer stopped acknowledging"
        acked.append(receiver.recv())
    receiver.poll(random.uniform(0, 0.03))
    os.kill(writer.pid, signal.SIGKILL)
    writer.join()
    while True:
        try:
            acked.append(receiver.recv())
        except EOFError:
            return acked


def _check_after_crash(driver, metric_ids, last_acked):
    """Every acknowledged batch is whole, the one in flight whole or absent.

    :returns: the number of batches stored.
    """
    for metric_id in metric_ids:
        ts, values = driver.get_measures(metric_id)
        late = ts < 10**7
        stored = int(values[-1]) + 1
        assert stored in (last_acked + 1, last_acked + 2)
        expected = [_batch(n) for n in range(stored)]
        assert_series((ts[~late], values[~late]),
                      np.concatenate([t[:-1] for t, _ in expected]),
                      np.concatenate([v[:-1] for _, v in expected]))
        assert_series((ts[late], values[late]),
                      np.arange(stored), np.arange(stored, dtype=float))
    return stored


def test_killed_writer_leaves_every_acknowledged_write(driver_options):
    driver = open_driver(driver_options)
    metric_ids = [new_metric(driver), new_metric(driver)]
    driver.close()
    stored = 0
    for _ in range(3):
        acked = _run_and_kill(driver_options, metric_ids, stored)
        assert acked == list(range(stored, stored + len(acked)))
        # A fresh driver object: as if the whole service were restarted.
        driver = open_driver(driver_options)
        stored = _check_after_crash(driver, metric_ids, acked[-1])
        if driver.name == "sqlite":
            conn = sqlite3.connect(driver.path)
            assert conn.execute("PRAGMA integrity_check").fetchall() == [
                ("ok",)]
            conn.close()
        driver.close()


def _stall_inside_a_transaction(options, metric_id, signals):
    driver = open_driver(options)
    driver.add_measures({metric_id: _batch(0)})
    write_chunk = sqlite_driver._write_chunk

    def write_one_chunk_then_stall(*args):
        write_chunk(*args)
        signals.send("one chunk of batch 1 written, not committed")
        time.sleep(60)

    sqlite_driver._write_chunk = write_one_chunk_then_stall
    driver.add_measures({metric_id: _batch(1)})


def test_kill_inside_a_sqlite_transaction_keeps_the_previous_data(tmp_path):
    options = {"driver": "sqlite", "data_dir": str(tmp_path),
               "chunk_seconds": "10"}
    metric_id = new_metric(open_driver(options))
    receiver, sender = FORK.Pipe(duplex=False)
    writer = FORK.Process(target=_stall_inside_a_transaction,
                          args=(options, metric_id, sender))
    writer.start()
    assert receiver.poll(30)
    receiver.recv()
    os.kill(writer.pid, signal.SIGKILL)
    writer.join()

    driver = open_driver(options)
    ts, values = _batch(0)
    order = np.argsort(ts)
    assert_series(driver.get_measures(metric_id), ts[order], values[order])
    # The dead writer's lock is gone: the store takes writes again.
    driver.add_measures({metric_id: _batch(1)})
    assert len(driver.get_measures(metric_id)[0]) == 2 * len(ts)
