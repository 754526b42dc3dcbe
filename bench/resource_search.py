"""Resource search and listing over many resources, SQLite driver.

Stores ``--count`` generic resources (100 projects, 1,000 users, each
resource created by one of 10 users) straight through the driver, then
times, in one process and in turns:

- the driver's lookup by an indexed field (``find_documents``) against the
  scan every driver can fall back to (read every document, test each);
- through the real pecan app (webtest, no HTTP server): a search by
  ``project_id`` (1% of the resources), by ``user_id`` within a project,
  a filter string, a non-admin's listing, and an admin's first page.

Prints medians of ``--repeat`` runs in ms and the index/scan ratios.
Usage: python bench/resource_search.py [--count 100000]
"""
import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import base64  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import webtest  # noqa: E402

from statsvc import config  # noqa: E402
from statsvc.api.app import setup_app  # noqa: E402
from statsvc.storage import base, loader  # noqa: E402


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        options = {"driver": "sqlite", "data_dir": data}
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
            "admin list, first 100 (reads all)": lambda: app.get(
                "/v1/resource/generic?limit=100"),
        }
        for name, call in cases.items():
            print(f"API {name}: {median_ms(call, args.repeat):.1f} ms")
        driver.close()


if __name__ == "__main__":
    main()
