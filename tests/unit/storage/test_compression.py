"""What the drivers store: compressed, sealed chunks, and every point."""
import numpy as np

from statsvc.storage import codec
from tests.unit.storage.helpers import CHUNK_NS, assert_series, new_metric


def stored_chunk_data(driver, metric_id):
    """``{chunk: (stored bytes, sealed)}`` as the driver keeps them."""
    if driver.name == "sqlite":
        rows = driver._conn().execute(
            "SELECT chunk, data FROM fragment JOIN metric ON metric = key"
            " WHERE id = ? ORDER BY chunk, seq", (metric_id,)).fetchall()
        out = {}
        for chunk, data in rows:
            out.setdefault(chunk, []).append(data)
        return {c: (b"".join(d), len(d) == 1 and codec.sealed(d[0]))
                for c, d in out.items()}
    r = driver._redis
    out = {}
    for chunk, value in r.hgetall(driver._chunks_key(metric_id)).items():
        chunk = int(chunk)
        data = (r.get(driver._data_key(metric_id, chunk)) or b"") + (
            r.get(driver._tail_key(metric_id, chunk)) or b"")
        tail_n, _, packs = map(int, value.split()[2:])
        out[chunk] = (data, not tail_n and not packs)
    return out


def cpu_like(n, step_ns):
    rng = np.random.default_rng(1)
    ts = np.arange(n, dtype=np.int64) * step_ns
    return ts, np.round(30 + np.cumsum(rng.normal(0, 0.3, n)), 1)


def test_point_by_point_chunks_are_sealed_once_left(make_driver):
    driver = make_driver(chunk_seconds="3000")
    metric_id = new_metric(driver)
    ts, values = cpu_like(700, 10 * 10**9)  # 300 points a chunk
    for t, v in zip(ts, values):
        driver.add_measures({metric_id: ([t], [v])})
    assert_series(driver.get_measures(metric_id), ts, values)
    stored = stored_chunk_data(driver, metric_id)
    assert [sealed for _, sealed in stored.values()] == [True, True, False]
    for chunk in (0, 1):
        assert len(stored[chunk][0]) < 300 * 2  # 16 B/pt raw


def test_batches_crossing_chunks_and_retention_lose_no_point(make_driver):
    driver = make_driver()
    metric_id = new_metric(driver, timespan_ns=25 * 10**9)
    ts, values = cpu_like(100, 10**9 // 2)
    for at in range(0, 100, 7):
        driver.add_measures({metric_id: (ts[at:at + 7], values[at:at + 7])})
    keep = ts >= ts[-1] - 25 * 10**9
    assert_series(driver.get_measures(metric_id), ts[keep], values[keep])
    newest_chunk = ts[-1] // CHUNK_NS
    for chunk, (data, sealed) in stored_chunk_data(driver,
                                                   metric_id).items():
        assert sealed or chunk == newest_chunk
        assert codec.decode(data)["t"][-1] >= ts[-1] - 25 * 10**9


def test_many_batches_into_one_chunk_compress(make_driver):
    driver = make_driver(chunk_seconds="100000")
    metric_id = new_metric(driver)
    ts, values = cpu_like(16_000, 10**9)  # the raw tail is empty
    for at in range(0, len(ts), 1000):
        driver.add_measures({metric_id: (ts[at:at + 1000],
                                         values[at:at + 1000])})
    assert_series(driver.get_measures(metric_id), ts, values)
    (data, _), = stored_chunk_data(driver, metric_id).values()
    assert len(data) / len(ts) < 2.5  # raw: 16
