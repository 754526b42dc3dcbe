"""The resource search language: both spellings, checked and evaluated."""
import pytest
from hypothesis import given, strategies as st

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


@pytest.mark.parametrize("query, index", [
    ({}, None),
    ({"=": {"host": "web1"}}, ("host", {"web1"})),
    ({"in": {"id": ["A", "C"]}}, ("id", {"a", "c"})),  # mapped ids
    ({"=": {"flavor": 2}}, None),  # only strings are looked up
    ({"=": {"started_at": "2024-01-01"}}, None),  # instants, not strings
    ({"ne": {"host": "web1"}}, None),
    ({"not": {"=": {"host": "web1"}}}, None),
    ({"and": [{"in": {"host": ["a", "b"]}}, {"=": {"project_id": "p"}},
              {">": {"flavor": 1}}]}, ("project_id", {"p"})),
    ({"or": [{"=": {"host": "a"}}, {"in": {"host": ["b", "c"]}}]},
     ("host", {"a", "b", "c"})),
    ({"or": [{"=": {"host": "a"}}, {"=": {"project_id": "b"}}]}, None),
    ({"or": [{"=": {"host": "a"}}, {">": {"flavor": 1}}]}, None),
])
def test_the_index_a_query_can_use(query, index):
    got = compile_query(query, lambda v: v.lower()).index
    assert got == (None if index is None else (index[0], frozenset(index[1])))


values = st.sampled_from(["a", "b", None, 1])
resources = st.fixed_dictionaries({"host": values, "project_id": values,
                                   "id": st.sampled_from(["a", "b"])})
leaves = st.builds(lambda op, field, value: {op: {field: value}},
                   st.sampled_from(["=", "ne", ">"]),
                   st.sampled_from(["host", "project_id", "id"]),
                   st.sampled_from(["a", "b", 1])) | st.builds(
    lambda field, items: {"in": {field: items}},
    st.sampled_from(["host", "id"]),
    st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2))
queries = st.recursive(leaves, lambda children: st.builds(
    lambda op, items: {op: items}, st.sampled_from(["and", "or"]),
    st.lists(children, min_size=1, max_size=3)) | st.builds(
    lambda child: {"not": child}, children), max_leaves=6)


@given(queries, st.lists(resources, max_size=6))
def test_every_match_is_in_the_index(query, docs):
    """Looking up the index first never loses a match."""
    compiled = compile_query(query, lambda v: v)
    if compiled.index is None:
        return
    field, wanted = compiled.index
    for doc in docs:
        if compiled(doc):
            assert doc[field] in wanted
