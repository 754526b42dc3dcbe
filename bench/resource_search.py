"""Resource search and listing over many resources, SQLite or Redis driver.

Stores ``--count`` generic resources (100 projects, 1,000 users, each
resource created by one of 10 users) straight through the driver, then
times, in one process and in turns:

- the driver's lookup by an indexed field (``find_documents``) against the
  scan every driver can fall back to (read every document, test each);
- through the real pecan app (webtest, no HTTP server): a search by
  ``project_id`` (1% of the resources), by ``user_id`` within a project,
  a filter string, a non-admin's listing, and an admin's first page, each
  beside the same call with the driver's lookups as they were before
  (:data:`BEFORE`: its methods replaced by the base driver's, which read
  every document or sort them all in memory).

With ``--driver redis`` (the Redis at ``--redis-url``, under a key prefix
of its own, deleted after), also: the time the first search takes to index
a store written before indexes existed, and the memory of the indexes
beside that of the documents (``MEMORY USAGE``).

Prints medians of ``--repeat`` runs in ms and the index/scan ratios.
Usage: python bench/resource_search.py [--count 100000] [--driver redis]
"""
import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import base64  # noqa: E402
import itertools  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import redis  # noqa: E402
import webtest  # noqa: E402

from statsvc import config  # noqa: E402
from statsvc.api.app import setup_app  # noqa: E402
from statsvc.storage import base, loader  # noqa: E402
from statsvc.storage.base import INDEXED_FIELDS  # noqa: E402


#: The driver methods whose base versions were all there was before: the
#: "before" figures run with them.
BEFORE = {"sqlite": ("sorted_documents",),
          "redis": ("find_documents", "sorted_documents")}


def median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e3


def populate(driver, count, proto):
    projects = [str(uuid.uuid4()) for _ in range(100)]
    users = [str(uuid.uuid4()) for _ in range(1000)]
    for i in range(count):
        rid = str(uuid.uuid4())
        driver.create_document("resource", rid, dict(
            proto, id=rid, original_resource_id=rid,
            project_id=projects[i % 100], user_id=users[i % 1000],
            creator=f"user{i % 10}"))
    return projects, users


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--driver", choices=("sqlite", "redis"),
                        default="sqlite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        if args.driver == "sqlite":
            options = {"driver": "sqlite", "data_dir": data}
        else:
            options = {"driver": "redis", "url": args.redis_url,
                       "key_prefix": f"statsvc-bench:{uuid.uuid4()}:"}
        try:
            run(args, options)
        finally:
            if args.driver == "redis":
                client = redis.Redis.from_url(args.redis_url)
                keys = list(client.scan_iter(
                    match=options["key_prefix"] + "*", count=1000))
                if keys:
                    client.delete(*keys)


def redis_figures(driver, options, url, projects, repeat):
    """The first search's indexing of a store without indexes, and the
    memory of the indexes beside the documents'."""
    client = redis.Redis.from_url(url)
    prefix = options["key_prefix"]
    index_keys = [f"{prefix}index:resource:{field}"
                  for field in INDEXED_FIELDS] + [f"{prefix}listing:resource"]

    def usage(key):
        return client.memory_usage(key, samples=0) or 0
    docs_mb = usage(prefix + "doc:resource") / 2**20
    index_mb = sum(map(usage, index_keys)) / 2**20
    print(f"memory: documents {docs_mb:.1f} MiB, indexes {index_mb:.1f} MiB"
          f" ({index_mb / docs_mb:.2f}x)")
    times = []
    for _ in range(max(1, repeat // 2)):
        client.delete(prefix + "indexed:resource", *index_keys)
        fresh = loader.load_driver(options)
        began = time.perf_counter()
        fresh.find_documents("resource", "project_id", {projects[3]})
        times.append(time.perf_counter() - began)
        fresh.close()
    print(f"first search of a store without indexes (indexes it): "
          f"{statistics.median(times) * 1e3:.0f} ms")


def run(args, options):
    """Populate, then time the lookups and the API calls."""
    app = webtest.TestApp(setup_app(config.load(
        overrides={"storage": options})))
    proto = app.post_json("/v1/resource/generic",
                          {"id": str(uuid.uuid4())}).json
    driver = loader.load_driver(options)
    began = time.perf_counter()
    projects, users = populate(driver, args.count, proto)
    print(f"{args.count:,} resources stored in "
          f"{time.perf_counter() - began:.1f} s")

    def indexed():
        return driver.find_documents("resource", "project_id",
                                     {projects[3]})

    def scanned():
        return base.StorageDriver.find_documents(
            driver, "resource", "project_id", {projects[3]})
    assert len(indexed()) == len(scanned()) == args.count // 100
    index_ms = median_ms(indexed, args.repeat)
    scan_ms = median_ms(scanned, args.repeat)
    print(f"driver, 1% by project_id: index {index_ms:.1f} ms, scan "
          f"{scan_ms:.1f} ms, {scan_ms / index_ms:.0f}x")

    halfway = next(itertools.islice(driver.sorted_documents(
        "resource", base.LISTING_SORT), args.count // 2, None))["id"]
    user = {"Authorization": "Basic "
            + base64.b64encode(b"user3:").decode()}
    cases = {
        "search project_id (1%)": lambda: app.post_json(
            "/v1/search/resource/generic",
            {"=": {"project_id": projects[3]}}),
        "search project_id and user_id": lambda: app.post_json(
            "/v1/search/resource/generic", {"and": [
                {"=": {"project_id": projects[3]}},
                {"=": {"user_id": users[3]}}]}),
        "filter string project_id": lambda: app.post(
            "/v1/search/resource/generic?filter="
            f"project_id='{projects[3]}'"),
        "non-admin list, first 100": lambda: app.get(
            "/v1/resource/generic?limit=100", headers=user),
        "admin list, first 100": lambda: app.get(
            "/v1/resource/generic?limit=100"),
        "admin list, 100 after a marker half-way": lambda: app.get(
            f"/v1/resource/generic?limit=100&marker={halfway}"),
        "admin list, first 100 by started_at desc": lambda: app.get(
            "/v1/resource/generic?limit=100&sort=started_at:desc"),
        "admin list, 100 after a marker by started_at desc": lambda: app.get(
            f"/v1/resource/generic?limit=100&sort=started_at:desc"
            f"&marker={halfway}"),
    }
    for name, call in cases.items():
        ms = median_ms(call, args.repeat)
        # Beside it, the same with the lookups the driver had before:
        # SQLite sorted in Python, Redis also scanned for lookups.
        cls = type(driver)
        own = {m: getattr(cls, m) for m in BEFORE[args.driver]}
        for method in own:
            setattr(cls, method, getattr(base.StorageDriver, method))
        try:
            before_ms = median_ms(call, args.repeat)
        finally:
            for method, function in own.items():
                setattr(cls, method, function)
        print(f"API {name}: {ms:.1f} ms, before {before_ms:.1f} ms, "
              f"{before_ms / ms:.1f}x")
    if args.driver == "redis":
        redis_figures(driver, options, args.redis_url, projects,
                      args.repeat)
    driver.close()


if __name__ == "__main__":
    main()
