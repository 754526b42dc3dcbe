"""Named documents (archive policies, rules), against each installed driver."""
import functools
import itertools
import threading

import pytest

from statsvc.storage import (
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound)
from tests.unit.storage.helpers import run_writers


def test_create_get_list_replace_delete(driver):
    doc = {"name": "low", "definition": [{"granularity": 300.0}],
           "back_window": 0}
    driver.create_document("archive_policy", "low", doc)
    driver.create_document("archive_policy", "high", {"name": "high"})
    driver.create_document("archive_policy_rule", "low", {"name": "rule"})
    assert driver.get_document("archive_policy", "low") == doc
    assert sorted(d["name"] for d in driver.list_documents(
        "archive_policy")) == ["high", "low"]
    driver.replace_document("archive_policy", "low", {"name": "low", "x": 1})
    assert driver.get_document("archive_policy", "low") == {"name": "low",
                                                            "x": 1}
    driver.delete_document("archive_policy", "low")
    with pytest.raises(DocumentNotFound):
        driver.get_document("archive_policy", "low")
    # Kinds are separate collections.
    assert driver.get_document("archive_policy_rule", "low") == {
        "name": "rule"}
    assert driver.list_documents("nothing") == []


def test_create_existing_name_is_refused_and_changes_nothing(driver):
    driver.create_document("k", "a", {"v": 1})
    with pytest.raises(DocumentAlreadyExists) as info:
        driver.create_document("k", "a", {"v": 2})
    assert (info.value.kind, info.value.name) == ("k", "a")
    assert driver.get_document("k", "a") == {"v": 1}


def test_missing_document_raises(driver):
    with pytest.raises(DocumentNotFound):
        driver.get_document("k", "a")
    with pytest.raises(DocumentNotFound):
        driver.replace_document("k", "a", {})
    assert driver.list_documents("k") == []
    with pytest.raises(DocumentNotFound):
        driver.delete_document("k", "a")


def test_seen_by_a_second_driver(make_driver):
    writer, reader = make_driver(), make_driver()
    writer.create_document("k", "a", {"v": 1})
    assert reader.get_document("k", "a") == {"v": 1}


def test_concurrent_creates_of_one_name_have_one_winner(make_driver):
    drivers = [make_driver() for _ in range(6)]
    barrier = threading.Barrier(len(drivers))
    outcomes = []

    def create(driver, i):
        barrier.wait()
        try:
            driver.create_document("k", "same", {"by": i})
            outcomes.append(i)
        except DocumentAlreadyExists:
            outcomes.append(None)

    threads = [threading.Thread(target=create, args=(d, i))
               for i, d in enumerate(drivers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i in outcomes if i is not None]
    assert len(winners) == 1 and len(outcomes) == len(drivers)
    assert drivers[0].get_document("k", "same") == {"by": winners[0]}


def _ids(docs):
    return sorted(doc["id"] for doc in docs)


def test_find_documents_by_a_field(driver):
    docs = [{"id": f"r{i}", "project_id": f"p{i % 3}", "n": i % 3,
             "odd key.x": f"p{i % 2}"} for i in range(1200)]
    for doc in docs:
        driver.create_document("resource", doc["id"], doc)
    driver.create_document("other", "r0", {"id": "r0", "project_id": "p0"})
    driver.replace_document("resource", "r3", {"id": "r3", "project_id": "x"})
    driver.delete_document("resource", "r6")

    def expected(field, values):
        return sorted(f"r{i}" for i in range(1200)
                      if i not in (3, 6) and docs[i][field] in values)
    assert _ids(driver.find_documents("resource", "project_id", {"p0"})) == \
        expected("project_id", {"p0"})
    # More values than one IN (...) takes, and one no document has.
    many = {f"r{i}" for i in range(0, 1200, 2)} | {"nope"}
    assert _ids(driver.find_documents("resource", "id", many)) == \
        sorted(many - {"r6", "nope"})
    # A field without index, and one whose name no JSON path spells.
    assert _ids(driver.find_documents("resource", "odd key.x", {"p1"})) == \
        expected("odd key.x", {"p1"})
    # Only strings match strings: 0 is not "0".
    assert driver.find_documents("resource", "n", {"0"}) == []
    assert _ids(driver.find_documents("resource", "project_id", {"x"})) == \
        ["r3"]
    assert driver.find_documents("resource", "project_id", set()) == []


def test_compare_and_swap_replaces_only_what_was_read(make_driver):
    first, second = make_driver(), make_driver()
    first.create_document("k", "a", {"v": 1, "names": {}})
    read = second.get_document("k", "a")
    first.replace_document("k", "a", {"v": 2, "names": {}},
                           expected={"v": 1, "names": {}})
    with pytest.raises(DocumentConflict) as info:
        second.replace_document("k", "a", {"v": 3}, expected=read)
    assert (info.value.kind, info.value.name) == ("k", "a")
    assert first.get_document("k", "a") == {"v": 2, "names": {}}
    with pytest.raises(DocumentNotFound):
        first.replace_document("k", "b", {}, expected={})


def _add_names(driver, writer, barrier):
    barrier.wait()
    for i in range(20):
        name = f"w{writer}-{i}"
        driver.update_document(
            "resource", "r", lambda doc: {**doc, "metrics": {
                **doc["metrics"], name: writer}})


def test_concurrent_updates_of_one_document_all_survive(driver):
    # Processes, as uwsgi workers: each adds its own names to one document
    # read-modify-write; a plain replace would drop other writers' names.
    driver.create_document("resource", "r", {"metrics": {}})
    assert run_writers(_add_names, (driver,), 4) == [0] * 4
    names = driver.get_document("resource", "r")["metrics"]
    assert sorted(names) == sorted(f"w{w}-{i}" for w in range(4)
                                   for i in range(20))


def _reference_order(docs, order):
    """``docs`` in ``order``, compared key by key (nulls placed as told),
    independently of :func:`statsvc.storage.base.sort_documents`."""
    def compare(a, b):
        for field, descending, nulls_last in order:
            x, y = a.get(field), b.get(field)
            if x == y:
                continue
            if x is None or y is None:
                return (1 if x is None else -1) * (1 if nulls_last else -1)
            return (1 if x > y else -1) * (-1 if descending else 1)
        return 0
    return sorted(docs, key=functools.cmp_to_key(compare))


@pytest.mark.parametrize("order", [
    [("revision_start", False, False), ("started_at", False, False),
     ("id", False, False)],
    [("project_id", True, True), ("id", False, False)],
    [("project_id", False, True), ("user_id", True, False),
     ("id", True, False)],
    [("odd key", False, False), ("id", False, False)],
])
def test_sorted_documents_in_every_order(driver, order):
    docs = []
    for i in range(700):
        doc = {"id": f"r{i:04d}", "revision_start": f"2024-01-0{i % 3 + 1}",
               "started_at": f"2023-{i % 12 + 1:02d}", "type": "t" + str(
                   i % 2), "odd key": str(i % 5)}
        if i % 11 == 0:
            doc["started_at"] = None if i % 2 else "2023-01-01T00:00"
        if i % 13 == 0:
            del doc["revision_start"]
        if i % 4:
            doc["project_id"] = "é" if i % 7 == 0 else f"p{i % 9}"
        if i % 5 == 0:
            doc["user_id"] = None
        elif i % 3:
            doc["user_id"] = f"u{i % 4}"
        docs.append(doc)
        driver.create_document("resource", doc["id"], doc)
    driver.create_document("other", "x", {"id": "x"})
    # Changed and deleted since: their entries move and go.
    docs[5] = dict(docs[5], revision_start="2000", started_at=None)
    driver.replace_document("resource", "r0005", docs[5])
    driver.delete_document("resource", docs.pop(8)["id"])
    assert [d["id"] for d in driver.sorted_documents("resource", order)] \
        == [d["id"] for d in _reference_order(docs, order)]
    selected = [d for d in docs if d["type"] == "t1"]
    assert [d["id"] for d in driver.sorted_documents(
        "resource", order, "type", {"t1", "t9"})] == \
        [d["id"] for d in _reference_order(selected, order)]
    # Taken as far as needed only: the first ten, as the whole order says.
    first = list(itertools.islice(driver.sorted_documents("resource", order),
                                  10))
    assert [d["id"] for d in first] == \
        [d["id"] for d in _reference_order(docs, order)[:10]]
    assert list(driver.sorted_documents("resource", order, "type", ())) == []
    # Written once indexes exist (the first calls above built them).
    docs.append({"id": "r9999", "revision_start": "1999", "type": "t1"})
    driver.create_document("resource", "r9999", docs[-1])
    docs[0] = dict(docs[0], started_at="2030", project_id="p1")
    driver.replace_document("resource", "r0000", docs[0])
    driver.delete_document("resource", docs.pop(1)["id"])
    assert [d["id"] for d in driver.sorted_documents("resource", order)] \
        == [d["id"] for d in _reference_order(docs, order)]
