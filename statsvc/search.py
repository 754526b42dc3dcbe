"""Gnocchi's resource search language, without HTTP.

Two spellings of one query: JSON (``{"and": [{"=": {"host": "a"}},
{">=": {"started_at": "2024-01-01"}}]}``) and the ``filter`` string
(``host='a' and started_at>='2024-01-01'``), which :func:`parse_filter`
turns into the JSON form. :func:`compile_query` checks a JSON query and
returns a predicate over resource documents; values are only ever
compared, never evaluated, so a query cannot do anything else.
"""
import re

from statsvc import resource_type as types

_COMPARISONS = {
    "=": "eq", "==": "eq", "eq": "eq", "<": "lt", "lt": "lt", ">": "gt",
    "gt": "gt", "<=": "le", "≤": "le", "le": "le", ">=": "ge", "≥": "ge",
    "ge": "ge", "!=": "ne", "≠": "ne", "ne": "ne"}
_BOOLEANS = {"and": "and", "∧": "and", "or": "or", "∨": "or"}
_DATETIMES = {"started_at", "ended_at", "revision_start", "revision_end"}


class QueryError(ValueError):
    """An invalid query; ``path`` says where in the JSON form."""

    def __init__(self, message, path=()):
        super().__init__(message)
        self.path = list(path)


class Query:
    """A compiled query: call it on a resource document for whether it
    matches. ``index`` is ``(attribute, values)`` when every match has one
    of those string ``values`` as its top-level ``attribute`` (what a store
    can look up in an index before the query tests each candidate), else
    ``None``."""

    def __init__(self, predicate, index=None):
        self.predicate = predicate
        self.index = index

    def __call__(self, resource):
        return self.predicate(resource)


#: The query that matches every resource.
EVERYTHING = Query(lambda resource: True)


def compile_query(query, map_id, datetime_attributes=()):
    """A :class:`Query` for a JSON query (``{}``: :data:`EVERYTHING`).

    :param map_id: turns an ``id`` value into the stored UUID (Gnocchi's
        mapping of non-UUID ids).
    :param datetime_attributes: the type's attributes of type datetime,
        compared as instants like ``started_at``.
    :raises QueryError:
    """
    if query == {}:
        return EVERYTHING
    datetimes = _DATETIMES | set(datetime_attributes)
    predicate = _Compiler(map_id, datetimes).node(query, [])
    return Query(predicate, _index(query, map_id, datetimes))


def _index(query, map_id, datetimes):
    """The ``(attribute, values)`` every match of a valid ``query`` has, or
    ``None``. Only string equality qualifies (datetimes compare as
    instants, not as the strings stored); ``and`` takes its narrowest
    part, ``or`` needs the same attribute in every part."""
    (operator, operand), = query.items()
    if operator in _BOOLEANS:
        parts = [_index(q, map_id, datetimes) for q in operand]
        if _BOOLEANS[operator] == "and":
            known = [p for p in parts if p is not None]
            return min(known, key=lambda p: len(p[1]), default=None)
        if None in parts or len({attribute for attribute, _ in parts}) > 1:
            return None
        return parts[0][0], frozenset().union(*(v for _, v in parts))
    if operator != "in" and _COMPARISONS.get(operator) != "eq":
        return None
    (attribute, value), = operand.items()
    values = value if operator == "in" else [value]
    if attribute in datetimes or not all(isinstance(v, str) for v in values):
        return None
    if attribute == "id":
        values = [map_id(v) for v in values]
    return attribute, frozenset(values)


class _Compiler:
    def __init__(self, map_id, datetimes):
        self.map_id = map_id
        self.datetimes = datetimes

    def node(self, query, path):
        if not isinstance(query, dict):
            raise QueryError("expected a dictionary", path)
        if len(query) != 1:
            raise QueryError("expected one operator", path)
        (operator, operand), = query.items()
        path = path + [operator]
        if operator in _BOOLEANS:
            if not isinstance(operand, list):
                raise QueryError("expected a list for dictionary value", path)
            if not operand:
                raise QueryError("length of value must be at least 1", path)
            parts = [self.node(q, path) for q in operand]
            combine = all if _BOOLEANS[operator] == "and" else any
            return lambda r: combine(p(r) for p in parts)
        if operator == "not":
            if not isinstance(operand, dict):
                raise QueryError(
                    "expected a dictionary for dictionary value", path)
            inner = self.node(operand, path)
            return lambda r: not inner(r)
        if operator not in _COMPARISONS and operator not in ("in", "like"):
            raise QueryError(f"unknown operator {operator}", path)
        if not isinstance(operand, dict) or len(operand) != 1:
            raise QueryError("expected one attribute and its value", path)
        (attribute, value), = operand.items()
        return self.leaf(operator, attribute, value, path + [attribute])

    def leaf(self, operator, attribute, value, path):
        if operator == "in":
            if not isinstance(value, list):
                raise QueryError("expected a list for dictionary value", path)
            if not value:
                raise QueryError("length of value must be at least 1", path)
            if any(isinstance(v, (list, dict)) for v in value):
                raise QueryError("expected str for dictionary value", path)
            wanted = [self.value(attribute, v, path) for v in value]
            return lambda r: self.stored(r, attribute) in wanted
        if operator == "like" and attribute == "id":
            raise QueryError("value must not be one of ['id']", path)
        if isinstance(value, (list, dict)):
            raise QueryError("expected str for dictionary value", path)
        if operator == "like":
            if not isinstance(value, str):
                raise QueryError("expected str for dictionary value", path)
            pattern = _like(value)
            return lambda r: isinstance(self.stored(r, attribute), str) \
                and pattern.fullmatch(self.stored(r, attribute)) is not None
        wanted = self.value(attribute, value, path)
        compare = _COMPARE[_COMPARISONS[operator]]
        return lambda r: compare(self.stored(r, attribute), wanted)

    def value(self, attribute, value, path):
        """A query value in the form stored values are compared in."""
        if attribute == "id" and isinstance(value, str):
            try:
                return self.map_id(value)
            except ValueError as e:
                raise QueryError(str(e), path) from None
        if attribute in self.datetimes and value is not None:
            try:
                return types.parse_datetime(value, path)
            except types.AttributeValueError as e:
                raise QueryError(str(e), path) from None
        return value

    def stored(self, resource, attribute):
        value = resource.get(attribute)
        if attribute in self.datetimes and value is not None:
            return types.parse_datetime(value, [attribute])
        return value


def _ordered(op):
    """An ordering that is false with null or across kinds, as SQL's."""
    def compare(stored, wanted):
        if stored is None or wanted is None:
            return False
        try:
            return op(stored, wanted)
        except TypeError:
            return False
    return compare


_COMPARE = {
    "eq": lambda s, w: s == w,
    # Gnocchi's ne also matches null: "all but foobar" includes unset.
    "ne": lambda s, w: s != w,
    "lt": _ordered(lambda s, w: s < w), "le": _ordered(lambda s, w: s <= w),
    "gt": _ordered(lambda s, w: s > w), "ge": _ordered(lambda s, w: s >= w),
}


def _like(pattern):
    """SQL LIKE: ``%`` any run, ``_`` one character, the rest literal."""
    parts = ("." + "*" if c == "%" else "." if c == "_" else re.escape(c)
             for c in pattern)
    return re.compile("".join(parts), re.S)


# The filter string: tokens, then precedence climbing (not > and > or).
_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"[^"]*"|'[^']*')
    | (?P<op>>=|<=|!=|==|=|<|>|≠|≥|≤)
    | (?P<punct>[\[\],()])
    | (?P<uuid>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?
        [0-9a-fA-F]{4}-?[0-9a-fA-F]{12}(?![\w-]))
    | (?P<number>[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?![\w.]))
    | (?P<word>[A-Za-z][A-Za-z0-9_]*|∧|∨)
    )""", re.X)
_WORD_OPERATORS = {"eq", "ne", "lt", "gt", "ge", "le", "in", "like"}
_CONSTANTS = {"null": None, "None": None, "none": None, "true": True,
              "True": True, "false": False, "False": False}


def parse_filter(text):
    """The JSON query a ``filter`` string means.

    :raises QueryError: ``Invalid filter: Expected ...`` naming the column.
    """
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text):
        self.tokens, position = [], 0
        text = text.rstrip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                self.tokens = None
                self.error_at = position
                return
            kind = match.lastgroup
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        self.tokens.append(("end", "", len(text)))
        self.position = 0

    def fail(self, expected):
        column = self.error_at if self.tokens is None \
            else self.tokens[self.position][2]
        raise QueryError(f"Invalid filter: Expected {expected} "
                         f"(at char {column})")

    def peek(self):
        return self.tokens[self.position]

    def take(self):
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self):
        if self.tokens is None:
            self.fail("a term")
        query = self.disjunction()
        if self.peek()[0] != "end":
            self.fail("end of text")
        return query

    def _chain(self, words, operand, name):
        parts = [operand()]
        while self.peek()[0] == "word" and self.peek()[1] in words:
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else {name: parts}

    def disjunction(self):
        return self._chain(("or", "∨"), self.conjunction, "or")

    def conjunction(self):
        return self._chain(("and", "∧"), self.negation, "and")

    def negation(self):
        if self.peek() == ("word", "not", self.peek()[2]):
            self.take()
            return {"not": self.negation()}
        if self.peek()[1] == "(":
            self.take()
            inner = self.disjunction()
            if self.take()[1] != ")":
                self.position -= 1
                self.fail("')'")
            return inner
        return self.condition()

    def condition(self):
        kind, attribute, _ = self.take()
        if kind != "word" or attribute in _WORD_OPERATORS:
            self.position -= 1
            self.fail("an attribute name")
        kind, operator, _ = self.take()
        if kind != "op" and not (kind == "word"
                                 and operator in _WORD_OPERATORS):
            self.position -= 1
            self.fail("an operator")
        return {operator: {attribute: self.term()}}

    def term(self):
        kind, text, _ = self.take()
        if kind == "string":
            return text[1:-1]
        if kind == "number":
            return float(text)
        if kind == "uuid":
            return text
        if kind == "word" and text in _CONSTANTS:
            return _CONSTANTS[text]
        if kind == "word" and text not in _WORD_OPERATORS:
            return text
        if text == "[":
            items = []
            if self.peek()[1] != "]":
                items.append(self.term())
                while self.peek()[1] == ",":
                    self.take()
                    items.append(self.term())
            if self.take()[1] != "]":
                self.position -= 1
                self.fail("']'")
            return items
        self.position -= 1
        self.fail("a value")
