"""The resource search language: both spellings, checked and evaluated."""
import pytest

from statsvc.search import QueryError, compile_query, parse_filter

A = {"id": "a", "host": "web1", "project_id": None, "flavor": 2,
     "started_at": "2024-01-01T00:00:00+00:00", "creator": "foobar"}
B = {"id": "b", "host": "db1", "project_id": "p1", "flavor": 8,
     "started_at": "2024-06-01T00:00:00+00:00", "creator": "alice"}


def matching(query):
    predicate = compile_query(query, lambda v: v.lower())
    return [r["id"] for r in (A, B) if predicate(r)]


@pytest.mark.parametrize("query, expected", [
    ({}, ["a", "b"]),
    ({"=": {"host": "web1"}}, ["a"]),
    ({"ne": {"project_id": "p1"}}, ["a"]),  # null is not p1
    ({"ne": {"project_id": "zz"}}, ["a", "b"]),
    ({">=": {"started_at": "2024-03-01"}}, ["b"]),
    ({"lt": {"started_at": "2024-03-01T00:00:00Z"}}, ["a"]),
    ({">": {"flavor": 4}}, ["b"]),
    ({">": {"project_id": "a"}}, ["b"]),  # null never orders
    ({"in": {"id": ["A", "C"]}}, ["a"]),  # ids go through the mapping
    ({"like": {"creator": "foo%"}}, ["a"]),
    ({"like": {"host": "_b1"}}, ["b"]),
    ({"and": [{"=": {"flavor": 2}}, {"=": {"host": "web1"}}]}, ["a"]),
    ({"or": [{"=": {"flavor": 8}}, {"=": {"host": "web1"}}]}, ["a", "b"]),
    ({"not": {"=": {"host": "web1"}}}, ["b"]),
])
def test_json_queries(query, expected):
    assert matching(query) == expected


@pytest.mark.parametrize("query, path, message", [
    ({"and": {"project_id": "x"}}, ["and"], "expected a list"),
    ({"like": {"id": "fa%"}}, ["like", "id"], "must not be one of ['id']"),
    ({"ne": {"project_id": ["x"]}}, ["ne", "project_id"], "expected str"),
    ({"not": [{"=": {"a": 1}}]}, ["not"], "expected a dictionary"),
    ({"in": {"id": []}}, ["in", "id"], "length of value must be at least 1"),
    ({"=": {"started_at": "yesterday"}}, ["=", "started_at"], "ISO 8601"),
    ({"~": {"a": 1}}, ["~"], "unknown operator"),
    ([], [], "expected a dictionary"),
])
def test_bad_json_queries_name_where(query, path, message):
    with pytest.raises(QueryError) as error:
        compile_query(query, str)
    assert error.value.path == path and message in str(error.value)


@pytest.mark.parametrize("text, query", [
    ("host='web1'", {"=": {"host": "web1"}}),
    ('host == "web1"', {"==": {"host": "web1"}}),
    ("flavor>=2.5", {">=": {"flavor": 2.5}}),
    ("project_id = null", {"=": {"project_id": None}}),
    ("up eq true", {"eq": {"up": True}}),
    ("id in [faef212f-0bf4-4030-a461-2186fef79be0, 'x']",
     {"in": {"id": ["faef212f-0bf4-4030-a461-2186fef79be0", "x"]}}),
    ("not id in [a]", {"not": {"in": {"id": ["a"]}}}),
    ("a=1 and b=2 or c=3",
     {"or": [{"and": [{"=": {"a": 1.0}}, {"=": {"b": 2.0}}]},
             {"=": {"c": 3.0}}]}),
    ("a=1 and (b=2 or c=3)",
     {"and": [{"=": {"a": 1.0}},
              {"or": [{"=": {"b": 2.0}}, {"=": {"c": 3.0}}]}]}),
    ("host like 'web%' ∧ flavor ≥ 2",
     {"and": [{"like": {"host": "web%"}}, {"≥": {"flavor": 2.0}}]}),
])
def test_filter_strings(text, query):
    assert parse_filter(text) == query


@pytest.mark.parametrize("text", [
    "", "host", "host =", "= 1", "host = 'x' and", "(a=1", "a in [1,",
    "host = 'unterminated", "a = 1 b = 2", "a ! 1"])
def test_bad_filter_strings(text):
    with pytest.raises(QueryError) as error:
        parse_filter(text)
    assert str(error.value).startswith("Invalid filter: Expected ")
