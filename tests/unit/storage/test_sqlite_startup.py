"""Several processes opening a new sqlite store at once, as uwsgi workers do."""
import multiprocessing

from statsvc.storage.sqlite_driver import SQLiteDriver


def _open(data_dir, barrier, results):
    barrier.wait()
    try:
        SQLiteDriver({"data_dir": data_dir}).list_metrics()
        results.put("ok")
    except Exception as e:  # reported to the parent
        results.put(repr(e))


def test_concurrent_first_open_succeeds_everywhere(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for attempt in range(10):
        data_dir = str(tmp_path / f"data{attempt}")
        barrier, results = ctx.Barrier(6), ctx.Queue()
        workers = [ctx.Process(target=_open, args=(data_dir, barrier, results))
                   for _ in range(6)]
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for w in workers:
            w.join(10)
        assert outcomes == ["ok"] * 6
