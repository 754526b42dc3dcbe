"""Parameter declarations of statistics plugins and their parsing.

A plugin declares what it accepts as a tuple of :class:`Parameter`; the
service parses query strings with :meth:`Parameter.parse` and turns any
:class:`ParameterError` into an HTTP 400 that names the parameter.
"""
import datetime
import math
import re

from statsvc.archive_policy import PolicyError, parse_timespan

#: Default of a parameter that must be given.
REQUIRED = object()

_INT = re.compile(r"[+-]?[0-9]{1,30}")
_FLOAT = re.compile(r"[+-]?([0-9]{1,30}\.?[0-9]{0,30}|\.[0-9]{1,30})"
                    r"([eE][+-]?[0-9]{1,3})?")
_BOOLS = {"true": True, "yes": True, "1": True,
          "false": False, "no": False, "0": False}
_EXPECTED_DURATION = ("must be an integer, or a duration with a unit"
                      " (5min, 300s, 1h30m)")
_TYPE_NAMES = {int: "int", float: "float", bool: "bool", str: "str"}
_EXPECTED = {int: "must be an integer", float: "must be a finite number",
             bool: "must be true, false, yes, no, 1 or 0", str: "must be a string"}


def _is_number(text):
    """Whether ``float`` takes ``text``: then it is no duration, even where
    :func:`parse_timespan` would read it as seconds."""
    try:
        float(text)
    except ValueError:
        return False
    return True


class ParameterError(ValueError):
    """A query parameter is unknown, missing, mistyped or out of range.

    :param parameter: the name of the offending parameter.
    :param message: what is wrong with it, for the HTTP 400 body.
    """

    def __init__(self, parameter, message):
        super().__init__(f"parameter {parameter!r}: {message}")
        self.parameter = parameter
        self.message = message


class ContractError(TypeError):
    """A plugin (or one of its declarations) breaks the statistics contract."""


class Parameter:
    """Declaration of one plugin parameter.

    :param name: the query-string key.
    :param type: ``int``, ``float``, ``bool`` or ``str``.
    :param default: value used when the parameter is absent;
        :data:`REQUIRED` (the default) makes it mandatory, ``None`` makes it
        optional without a value (the plugin sees ``None``).
    :param min: inclusive lower bound (``int``/``float`` only).
    :param max: inclusive upper bound (``int``/``float`` only).  Bound every
        size-like parameter: the bounds are what protect the service.
    :param help: one line for ``/v1/capabilities``.
    :param choices: allowed values of a ``str`` parameter.
    :param max_duration: a :class:`datetime.timedelta`; an ``int``
        parameter given it also takes a duration in Gnocchi's timespan
        syntax (``5min``, ``300s``, ``1h30m``: a number *with* a unit; a
        bare number stays an ``int``), parsed to a ``timedelta`` in
        ``(0, max_duration]``.

    A bad declaration raises :class:`ContractError` at once, so that a
    broken plugin fails when it is loaded, not on its first request.
    """

    def __init__(self, name, type, default=REQUIRED, min=None, max=None,
                 help="", choices=None, max_duration=None):
        if not isinstance(name, str) or not name.isidentifier():
            raise ContractError(f"parameter name {name!r} is not an identifier")
        if type not in _TYPE_NAMES:
            raise ContractError(f"parameter {name!r}: type must be int, float,"
                                f" bool or str, not {type!r}")
        if (min is not None or max is not None) and type not in (int, float):
            raise ContractError(f"parameter {name!r}: only numbers have bounds")
        if choices is not None and type is not str:
            raise ContractError(f"parameter {name!r}: only str has choices")
        if min is not None and max is not None and min > max:
            raise ContractError(f"parameter {name!r}: min > max")
        if max_duration is not None and (
                type is not int
                or not isinstance(max_duration, datetime.timedelta)
                or max_duration <= datetime.timedelta(0)):
            raise ContractError(f"parameter {name!r}: max_duration must be a"
                                f" positive timedelta, on an int")
        if not isinstance(help, str):
            raise ContractError(f"parameter {name!r}: help must be a str")
        self.name = name
        self.type = type
        self.min = min
        self.max = max
        self.help = help
        self.choices = tuple(choices) if choices is not None else None
        self.max_duration = max_duration
        self.default = default
        if default is not REQUIRED and default is not None:
            try:
                self.default = self.parse(default)
            except ParameterError as exc:
                raise ContractError(f"default: {exc}") from None

    @property
    def required(self):
        """Whether the parameter must be given."""
        return self.default is REQUIRED

    def parse(self, raw):
        """Return ``raw`` (a query-string value) as a checked value.

        A value that already has the declared type is accepted too (so that
        tests can write ``window=3``); it is range-checked the same way.
        Raise :class:`ParameterError` when it cannot be used.
        """
        if self.max_duration is not None:
            duration = self._duration(raw)
            if duration is not None:
                return duration
        value = self._convert(raw)
        if self.min is not None and value < self.min:
            raise ParameterError(self.name, f"must be >= {self.min}")
        if self.max is not None and value > self.max:
            raise ParameterError(self.name, f"must be <= {self.max}")
        if self.choices is not None and value not in self.choices:
            raise ParameterError(
                self.name, "must be one of " + ", ".join(self.choices))
        return value

    def _duration(self, raw):
        """``raw`` as a checked timedelta, or None if it is no duration."""
        if isinstance(raw, datetime.timedelta):
            duration = raw
        elif not isinstance(raw, str) or _is_number(raw):
            return None  # a bare number counts points: :meth:`_convert`'s
        else:
            try:
                duration = datetime.timedelta(seconds=parse_timespan(raw))
            except PolicyError:
                raise ParameterError(self.name, _EXPECTED_DURATION) from None
        if duration <= datetime.timedelta(0):
            raise ParameterError(self.name, "must be a positive duration")
        if duration > self.max_duration:
            raise ParameterError(self.name, f"must be <= {self.max_duration}"
                                            f" as a duration")
        return duration

    def _convert(self, raw):
        if isinstance(raw, str):
            text = raw.strip()
            if self.type is str:
                return raw
            if self.type is bool and text.lower() in _BOOLS:
                return _BOOLS[text.lower()]
            if self.type is int and _INT.fullmatch(text):
                return int(text)
            if self.type is float and _FLOAT.fullmatch(text):
                value = float(text)
                if math.isfinite(value):
                    return value
        elif isinstance(raw, bool):
            if self.type is bool:
                return raw
        elif isinstance(raw, int) and self.type in (int, float):
            return self.type(raw)
        elif isinstance(raw, float) and self.type is float:
            if math.isfinite(raw):
                return raw
        raise ParameterError(self.name, _EXPECTED_DURATION
                             if self.max_duration else _EXPECTED[self.type])

    def describe(self):
        """JSON-able description, one entry of ``describe()['parameters']``."""
        out = {"type": _TYPE_NAMES[self.type],
               "default": None if self.required else self.default,
               "min": self.min, "max": self.max,
               "required": self.required, "help": self.help}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.max_duration is not None:
            out["max_duration"] = self.max_duration.total_seconds()
        return out

    def __repr__(self):
        return f"Parameter({self.name!r}, {_TYPE_NAMES[self.type]})"
