"""Archives under several writer processes and writers killed mid-write:
an archive always equals the aggregates of the raw points stored with it
(the back window here keeps every raw point, so that the raw series is the
reference)."""
import multiprocessing
import os
import signal
import uuid

import numpy as np

from statsvc import aggregation
from tests.unit.storage.helpers import open_driver, run_writers

FORK = multiprocessing.get_context("fork")
S = 10**9
SPEC = {"granularities": [[S, None], [10 * S, None]],
        "methods": ["count", "p90", "sum"], "back_window": 10**6}
WRITERS, BATCHES, POINTS = 4, 30, 40


def new_metric(driver):
    metric_id = str(uuid.uuid4())
    driver.create_metric({"id": metric_id, "rollup": SPEC})
    return metric_id


def assert_archives_match_raw(driver, metric_id):
    ts, values = driver.get_measures(metric_id)
    for grain, _ in SPEC["granularities"]:
        for method in SPEC["methods"]:
            want = aggregation.resample(ts, values, grain, method)
            got = driver.get_archive(metric_id, grain, method)
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    return len(ts)


def _append(options, metric_id, writer, barrier):
    driver = open_driver(options)
    barrier.wait()
    for batch in range(BATCHES):
        j = np.arange(batch * POINTS, (batch + 1) * POINTS)
        driver.add_measures({metric_id: ((j * WRITERS + writer) * 10**8,
                                         writer * 1e3 + j)})


def test_concurrent_writers_keep_archives_exact(driver_options):
    driver = open_driver(driver_options)
    metric_id = new_metric(driver)
    assert run_writers(_append, (driver_options, metric_id),
                       WRITERS) == [0] * WRITERS
    assert assert_archives_match_raw(driver, metric_id) \
        == WRITERS * BATCHES * POINTS
    driver.close()


def _write_until_killed(options, metric_id, acks):
    driver = open_driver(options)
    rng = np.random.default_rng(os.getpid())
    for number in range(10**6):
        # New points over several buckets, and late ones all over.
        ts = np.r_[(number * 2000 + np.arange(2000)) * 10**7,
                   rng.integers(0, (number + 1) * 20 * S, 50)]
        driver.add_measures({metric_id: (ts, rng.normal(size=len(ts)))})
        acks.send(number)


def test_killed_writer_leaves_archives_and_raw_points_together(
        driver_options):
    driver = open_driver(driver_options)
    metric_id = new_metric(driver)
    for _ in range(2):
        receiver, sender = FORK.Pipe(duplex=False)
        writer = FORK.Process(target=_write_until_killed,
                              args=(driver_options, metric_id, sender))
        writer.start()
        sender.close()
        for _ in range(3):
            assert receiver.poll(30), "writer stopped acknowledging"
            receiver.recv()
        receiver.poll(np.random.uniform(0, 0.05))
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        fresh = open_driver(driver_options)
        assert assert_archives_match_raw(fresh, metric_id) >= 3 * 2000
        fresh.close()
    driver.close()
