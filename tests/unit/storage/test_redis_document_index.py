"""The redis driver's document indexes (:mod:`statsvc.storage.redis_documents`)
on the test Redis: lookups read the index, not every document, and a store
written before the indexes existed is indexed on first use, exactly, while
other hosts keep writing."""
import json

import pytest
import redis

from statsvc.storage import redis_documents
from statsvc.storage.base import LISTING_SORT
from tests import redis_helpers
from tests.unit.storage.helpers import open_driver


@pytest.fixture
def options():
    redis_helpers.redis_or_skip()
    prefix = redis_helpers.new_prefix()
    yield {"driver": "redis", "url": redis_helpers.REDIS_URL,
           "key_prefix": prefix}
    redis_helpers.delete_redis_prefix(prefix)


@pytest.fixture
def client():
    with redis.Redis.from_url(redis_helpers.REDIS_URL) as client:
        yield client


def _calls(client, command):
    stats = client.info("commandstats").get(f"cmdstat_{command}")
    return stats["calls"] if stats else 0


def _ids(docs):
    return sorted(doc["id"] for doc in docs)


def test_lookups_read_the_index_not_every_document(options, client):
    driver = open_driver(options)
    try:
        for i in range(300):
            driver.create_document("resource", f"r{i}", {
                "id": f"r{i}", "project_id": f"p{i % 30}", "user_id": None})
        driver.find_documents("resource", "project_id", {"p0"})  # indexes
        hvals, hget = _calls(client, "hvals"), _calls(client, "hget")
        found = driver.find_documents("resource", "project_id",
                                      {"p1", "p2", "none"})
        assert _ids(found) == sorted(f"r{i}" for i in range(300)
                                     if i % 30 in (1, 2))
        # One HGET per document found, no document read beyond them.
        assert _calls(client, "hvals") == hvals
        assert _calls(client, "hget") - hget == len(found)
        # Null and non-string values are not indexed, nor found.
        assert driver.find_documents("resource", "user_id", {"None"}) == []
        index = options["key_prefix"] + "index:resource:project_id"
        assert client.zcard(index) == 300
        assert client.zcard(options["key_prefix"]
                            + "index:resource:user_id") == 0
    finally:
        driver.close()


def test_values_and_names_with_nul_and_non_ascii_bytes(options):
    driver = open_driver(options)
    try:
        # A value holding "\0" reads, in the index, like a shorter value
        # followed by a name: the documents still decide.
        docs = {"a": "p", "b": "p\0b", "c": "p\0", "d": "é\0x", "e": "é"}
        for name, project in docs.items():
            driver.create_document("resource", f"n\0{name}",
                                   {"id": name, "project_id": project})
        for project in set(docs.values()) | {"p\0b\0n", "\0"}:
            assert _ids(driver.find_documents(
                "resource", "project_id", {project})) == sorted(
                n for n, p in docs.items() if p == project), project
    finally:
        driver.close()


def test_a_store_written_before_the_indexes_is_indexed_on_first_use(
        options, client, monkeypatch):
    prefix = options["key_prefix"]
    # As the previous version wrote them: the hash alone.
    client.hset(prefix + "doc:resource", mapping={
        f"r{i}": json.dumps({"id": f"r{i}", "project_id": f"p{i % 7}"})
        for i in range(1000)})
    monkeypatch.setattr(redis_documents, "INDEX_BATCH", 100)
    searcher, other = open_driver(options), open_driver(options)
    documents = searcher._documents
    index_names, batches = documents._index_names, []

    def then_another_host_writes(keys, names):
        index_names(keys, names)
        batches.append(names)
        if len(batches) == 2:
            # Between two batches: documents indexed and not yet, changed,
            # deleted and created by a host of this version.
            for name in (names[0], b"r999" if names[0] != b"r999" else
                         b"r998"):
                other.replace_document("resource", name.decode(), {
                    "id": name.decode(), "project_id": "moved"})
            other.delete_document("resource", names[1].decode())
            other.create_document("resource", "new", {
                "id": "new", "project_id": "p1"})

    monkeypatch.setattr(documents, "_index_names", then_another_host_writes)
    try:
        stored = other.list_documents("resource")
        assert len(stored) == 1000  # the other host does not index
        found = searcher.find_documents("resource", "project_id", {"p1"})
        assert len(batches) >= 10
        now = {doc["id"]: doc for doc in other.list_documents("resource")}
        for project in [f"p{k}" for k in range(7)] + ["moved"]:
            assert _ids(searcher.find_documents(
                "resource", "project_id", {project})) == sorted(
                i for i, doc in now.items() if doc["project_id"] == project)
        assert "new" in _ids(found)
        assert [d["id"] for d in searcher.sorted_documents(
            "resource", LISTING_SORT)] == sorted(now)
        assert client.get(prefix + "indexed:resource") == \
            redis_documents._BUILT.encode()
        # Once built, no host walks the documents again.
        later = open_driver(options)
        hscans = _calls(client, "hscan")
        assert _ids(later.find_documents("resource", "project_id",
                                         {"moved"})) == sorted(
            i for i, doc in now.items() if doc["project_id"] == "moved")
        assert _calls(client, "hscan") == hscans
        later.close()
    finally:
        searcher.close()
        other.close()
