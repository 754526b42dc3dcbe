"""Base class, parameter declarations and series type for statistics.

(Placeholder contract, to be completed by the statistics work: see issue 4.)
"""
import abc
import collections

#: A time series: ``timestamps`` (int64 ns since the epoch, sorted) and
#: ``values`` (float64), same length.
Series = collections.namedtuple("Series", ["timestamps", "values"])

REQUIRED = object()


class ParameterError(ValueError):
    """A query parameter is unknown, missing, mistyped or out of range."""

    def __init__(self, parameter, message):
        super().__init__(f"parameter {parameter!r}: {message}")
        self.parameter = parameter


class ContractError(TypeError):
    """A plugin object does not satisfy the statistics contract."""


class Parameter:
    """Declaration of one plugin parameter."""

    def __init__(self, name, type, default=REQUIRED, min=None, max=None,
                 help=""):
        self.name = name
        self.type = type
        self.default = default
        self.min = min
        self.max = max
        self.help = help


class Statistic(abc.ABC):
    """Base class of statistics plugins."""

    description = ""
    parameters = ()

    @abc.abstractmethod
    def compute(self, data, **params):
        """Return a :class:`Series` computed from the :class:`Series` data."""

    def validate(self, query):
        """Turn a ``{name: str}`` mapping into typed keyword arguments."""
        declared = {p.name: p for p in self.parameters}
        for name in query:
            if name not in declared:
                raise ParameterError(name, "unknown parameter")
        out = {}
        for p in self.parameters:
            if p.name not in query:
                if p.default is REQUIRED:
                    raise ParameterError(p.name, "is required")
                out[p.name] = p.default
                continue
            try:
                out[p.name] = p.type(query[p.name])
            except ValueError:
                raise ParameterError(p.name, f"must be {p.type.__name__}")
            if p.min is not None and out[p.name] < p.min:
                raise ParameterError(p.name, f"must be >= {p.min}")
            if p.max is not None and out[p.name] > p.max:
                raise ParameterError(p.name, f"must be <= {p.max}")
        return out

    def describe(self):
        """JSON-able description for ``/v1/capabilities``."""
        return {"description": self.description,
                "parameters": {p.name: {"type": p.type.__name__,
                                        "help": p.help} for p in self.parameters}}


def check_plugin(obj):
    """Raise :class:`ContractError` unless ``obj`` is a usable statistic."""
    if not isinstance(obj, Statistic):
        raise ContractError(f"{obj!r} is not a statsvc.statistics.Statistic")
    return obj
