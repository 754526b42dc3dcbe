"""Archive policies and their rules, as Gnocchi defines them; no HTTP here.

A policy is stored as a plain dict::

    {"name": "low", "back_window": 0,
     "aggregation_methods": ["count", "max", ...],
     "definition": [{"granularity": 300.0, "points": 8640,
                     "timespan": 2592000.0}, ...]}

durations in seconds, ``points``/``timespan`` ``None`` when unbounded.
:func:`to_json` renders one the way Gnocchi's API does (durations as
``str(datetime.timedelta)``). A rule is ``{"name", "metric_pattern",
"archive_policy_name"}``.
"""
import datetime
import fnmatch
import re

from statsvc import aggregation

#: Gnocchi's ``[archive_policy] default_aggregation_methods``.
DEFAULT_AGGREGATION_METHODS = ("mean", "min", "max", "sum", "std", "count")
#: What a policy may keep: Gnocchi's names (``95pct``, not ``p95``).
VALID_AGGREGATION_METHODS = frozenset(
    [*aggregation.BASIC_METHODS, *(f"{i}pct" for i in range(1, 100))])

_DAY = 86400.0
#: Gnocchi's ``DEFAULT_ARCHIVE_POLICIES``, present on a fresh install.
DEFAULT_POLICIES = {
    "bool": {"name": "bool", "back_window": 3600,
             "aggregation_methods": ["last"],
             "definition": [{"granularity": 1.0, "timespan": 365 * _DAY}]},
    "low": {"name": "low", "back_window": 0,
            "definition": [{"granularity": 300.0, "timespan": 30 * _DAY}]},
    "medium": {"name": "medium", "back_window": 0,
               "definition": [{"granularity": 60.0, "timespan": 7 * _DAY},
                              {"granularity": 3600.0,
                               "timespan": 365 * _DAY}]},
    "high": {"name": "high", "back_window": 0,
             "definition": [{"granularity": 1.0, "timespan": 3600.0},
                            {"granularity": 60.0, "timespan": 7 * _DAY},
                            {"granularity": 3600.0,
                             "timespan": 365 * _DAY}]},
}

_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
          "d": 86400, "day": 86400, "days": 86400,
          "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800}
_TERM = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s*,?", re.I)
# What str(datetime.timedelta) prints, so that our own output parses back.
_CLOCK = re.compile(r"^\s*(?:(\d+) days?,\s*)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)"
                    r"\s*$")


class PolicyError(ValueError):
    """An invalid policy, rule or change; the message is for the client.

    ``path`` locates the offending value in the request body (keys and list
    indexes, as Gnocchi's voluptuous reports them), or is ``None`` when the
    error is about the whole request.
    """

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = path

    def at(self, *path):
        """This error, located at ``path`` in the body (Gnocchi's wording
        for a value under a key)."""
        return PolicyError(f"{self} for dictionary value", list(path))


def parse_timespan(value):
    """Seconds (a positive float) from a number, a numeric string, a human
    string such as ``"1 minute"``, ``"1h30m"``, ``"30 days"``, or
    ``"1 day, 0:00:00"``.

    :raises PolicyError: for anything else or a duration that is not > 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PolicyError(f"Unable to parse timespan {value!r}")
    try:
        seconds = float(value)
    except ValueError:
        seconds = _parse_human(value)
    if not 0 < seconds < 1e11:  # also refuses NaN; 1e11 s: 3,000 years
        raise PolicyError("Timespan must be positive")
    return seconds


def _parse_human(text):
    clock = _CLOCK.match(text)
    if clock:
        days, hours, minutes, seconds = clock.groups()
        return (int(days or 0) * 86400 + int(hours) * 3600
                + int(minutes) * 60 + float(seconds))
    total, position = 0.0, 0
    text = text.strip()
    for term in _TERM.finditer(text):
        unit = _UNITS.get(term.group(2).lower())
        if term.start() != position or unit is None:
            break
        total += float(term.group(1)) * unit
        position = term.end()
    if position == 0 or position != len(text):
        raise PolicyError(f"Unable to parse timespan {text!r}")
    return total


def _positive_int(value, *path):
    try:
        number = int(value) if not isinstance(value, (bool, float)) \
            or value == int(value) else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise PolicyError(f"expected int, got {value!r}").at(*path)
    if number < 1:
        raise PolicyError("value must be at least 1").at(*path)
    return number


def _timespan_at(value, *path):
    try:
        return parse_timespan(value)
    except PolicyError as e:
        raise e.at(*path) from None


def parse_item(item, index=0):
    """One definition entry (``definition[index]``): any two of
    granularity, points and timespan give the third (granularity alone
    keeps every point), as Gnocchi's ``ArchivePolicyItem`` does."""
    here = ("definition", index)
    if not isinstance(item, dict):
        raise PolicyError("expected a dictionary").at(*here)
    extra = sorted(set(item) - {"granularity", "points", "timespan"})
    if extra:
        raise PolicyError("extra keys not allowed", [*here, extra[0]])
    granularity, points, timespan = (item.get(k) for k in
                                     ("granularity", "points", "timespan"))
    points = None if points is None \
        else _positive_int(points, *here, "points")
    timespan = None if timespan is None \
        else _timespan_at(timespan, *here, "timespan")
    if granularity is None:
        if points is None or timespan is None:
            raise PolicyError("At least two of granularity/points/timespan "
                              "must be provided")
        granularity = timespan / points
    else:
        granularity = _timespan_at(granularity, *here, "granularity")
    if points is not None and timespan is not None \
            and not _close(timespan, granularity * points):
        raise PolicyError("timespan ≠ granularity × points")
    if points is None and timespan is not None:
        points = int(timespan / granularity + 1e-9)
        if points <= 0:
            raise PolicyError("Calculated number of points is < 0")
    if points is not None:
        timespan = granularity * points
    return {"granularity": granularity, "points": points,
            "timespan": timespan}


def _close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def parse_definition(definition):
    """A validated definition list; granularities must be distinct."""
    if not isinstance(definition, list):
        raise PolicyError("expected a list").at("definition")
    if not definition:
        raise PolicyError("length of value must be at least 1").at(
            "definition")
    items = [parse_item(item, i) for i, item in enumerate(definition)]
    seen = set()
    for item in items:
        if item["granularity"] in seen:
            raise PolicyError(f"More than one archive policy uses "
                              f"granularity `{item['granularity']!r}'")
        seen.add(item["granularity"])
    return items


def resolve_methods(methods):
    """The aggregation methods a list such as ``["+p99", "-std"]`` means:
    ``*`` is every method; a list of only ``+``/``-`` entries amends
    :data:`DEFAULT_AGGREGATION_METHODS`, as in Gnocchi."""
    if not isinstance(methods, list) or not all(isinstance(m, str)
                                                for m in methods):
        raise PolicyError("expected a list of strings").at(
            "aggregation_methods")
    bad = {m for m in methods if m != "*"
           and (m[1:] if m[:1] in "+-" and m else m)
           not in VALID_AGGREGATION_METHODS}
    if bad:
        raise PolicyError(f"Invalid value for aggregation_methods: "
                          f"{sorted(bad)}")
    if "*" in methods:
        result = set(VALID_AGGREGATION_METHODS)
    elif all(m[:1] in ("+", "-") for m in methods):
        result = set(DEFAULT_AGGREGATION_METHODS)
    else:
        result = {m for m in methods if m[:1] not in ("+", "-")}
    for m in methods:
        if m[:1] == "-":
            result.discard(m[1:])
        elif m[:1] == "+":
            result.add(m[1:])
    return sorted(result)


def parse_back_window(value):
    """A back window: an integer >= 0 (numeric strings too, as Gnocchi)."""
    if value == 0 or value == "0":
        return 0
    try:
        return _positive_int(value)
    except PolicyError:
        raise PolicyError("expected an integer of at least 0").at(
            "back_window") from None


def new_policy(body):
    """Validate a ``POST /v1/archive_policy`` body; return the stored dict."""
    if not isinstance(body, dict):
        raise PolicyError("expected a dictionary", [])
    unknown = sorted(set(body) - {"name", "back_window", "definition",
                                  "aggregation_methods"})
    if unknown:
        raise PolicyError("extra keys not allowed", [unknown[0]])
    for key in ("name", "definition"):
        if key not in body:
            raise PolicyError("required key not provided", [key])
    name = body.get("name")
    check_name(name)
    return {"name": name,
            "back_window": parse_back_window(body.get("back_window", 0)),
            "aggregation_methods": resolve_methods(body.get(
                "aggregation_methods", list(DEFAULT_AGGREGATION_METHODS))),
            "definition": parse_definition(body["definition"])}


def check_name(name):
    """Policy and rule names: non-empty strings usable in a URL path."""
    if not isinstance(name, str) or not 0 < len(name) <= 255 or "/" in name:
        raise PolicyError(f"name must be a string of 1 to 255 characters "
                          f"without '/', got {name!r}")


def updated_policy(policy, body):
    """Apply a ``PATCH`` body: Gnocchi only lets ``definition`` change its
    points/timespan (same granularities) and ``back_window`` change."""
    if not isinstance(body, dict) or "definition" not in body \
            or set(body) - {"definition", "back_window"}:
        raise PolicyError("Body must be a JSON object with definition and "
                          "optionally back_window")
    new = parse_definition(body["definition"])
    name = policy["name"]
    if len(new) != len(policy["definition"]):
        raise PolicyError(f"Archive policy {name} does not support change: "
                          f"Cannot add or drop granularities")
    current = sorted(g["granularity"] for g in policy["definition"])
    for old, item in zip(current, sorted(new, key=_granularity)):
        if old != item["granularity"]:
            raise PolicyError(f"Archive policy {name} does not support "
                              f"change: {old!r} granularity interval was "
                              f"changed")
    updated = dict(policy, definition=new)
    if body.get("back_window") is not None:
        updated["back_window"] = parse_back_window(body["back_window"])
    return updated


def _granularity(item):
    return item["granularity"]


def with_defaults(policy):
    """A :data:`DEFAULT_POLICIES` entry completed as stored."""
    return {"aggregation_methods": sorted(DEFAULT_AGGREGATION_METHODS),
            **policy,
            "definition": parse_definition(policy["definition"])}


def rollup_spec(policy):
    """What a storage driver keeps for a metric of ``policy``: its rollup
    spec (:mod:`statsvc.storage.rollup`), granularities in nanoseconds and
    methods as :mod:`statsvc.aggregation` names (``rate:X`` is stored as
    ``X``, of which a rate is a difference)."""
    methods = {stored_method(m) for m in policy["aggregation_methods"]}
    return {"granularities": sorted(
                [round(item["granularity"] * 1e9), item["points"]]
                for item in policy["definition"]),
            "methods": sorted(methods),
            "back_window": policy.get("back_window") or 0}


def to_json(policy):
    """The policy as Gnocchi's API shows it."""
    return {"name": policy["name"], "back_window": policy["back_window"],
            "aggregation_methods": policy["aggregation_methods"],
            "definition": [{
                "granularity": _timedelta(item["granularity"]),
                "points": item["points"],
                "timespan": None if item["timespan"] is None
                else _timedelta(item["timespan"])}
                for item in policy["definition"]]}


def _timedelta(seconds):
    return str(datetime.timedelta(seconds=seconds))


def aggregation_method(method):
    """The :mod:`statsvc.aggregation` name of a policy method (``95pct`` is
    ``p95``)."""
    return f"p{method[:-3]}" if method.endswith("pct") else method


def stored_method(method):
    """The archive a policy method reads: its :func:`aggregation_method`,
    that of ``X`` for ``rate:X``."""
    return aggregation_method(method.removeprefix("rate:"))


def new_rule(body):
    """Validate a ``POST /v1/archive_policy_rule`` body."""
    fields = ("name", "metric_pattern", "archive_policy_name")
    if not isinstance(body, dict):
        raise PolicyError("expected a dictionary", [])
    extra = sorted(set(body) - set(fields))
    if extra:
        raise PolicyError("extra keys not allowed", [extra[0]])
    for field in fields:
        if field not in body:
            raise PolicyError("required key not provided", [field])
        if not isinstance(body[field], str):
            raise PolicyError("expected str").at(field)
    check_name(body["name"])
    return {f: body[f] for f in fields}


def ordered_rules(rules):
    """Rules in the order Gnocchi tries them: ``metric_pattern`` descending
    (so ``disk.*`` comes before ``*``), then name ascending."""
    rules = sorted(rules, key=lambda r: r["name"])
    return sorted(rules, key=lambda r: r["metric_pattern"], reverse=True)


def matching_rule(rules, metric_name):
    """The first of :func:`ordered_rules` whose ``metric_pattern`` (fnmatch)
    matches ``metric_name``, or ``None``."""
    for rule in ordered_rules(rules):
        if fnmatch.fnmatch(metric_name or "", rule["metric_pattern"]):
            return rule
    return None
