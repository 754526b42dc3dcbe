"""The :class:`Statistic` base class and the plugin check.

The other public names of the contract live in :mod:`.params` and
:mod:`.series`; they are re-exported here and by :mod:`statsvc.statistics`.
"""
import abc
import collections.abc

from statsvc.statistics.params import (  # noqa: F401  (re-exported)
    REQUIRED, ContractError, Parameter, ParameterError)
from statsvc.statistics.series import (  # noqa: F401  (re-exported)
    Series, as_series, clean, drop_gaps)


class Statistic(abc.ABC):
    """Base class of the plugins of the ``statsvc.statistics`` namespace.

    The contract:

    * ``description``: one line, a non-empty ``str``: what it returns.
    * ``unit`` and ``gaps`` (optional, one line each): the unit of the
      results (``"the values' unit per second"``) and how gaps are treated;
      ``/v1/capabilities`` shows them.
    * ``parameters``: a tuple of :class:`Parameter` with distinct names.
      Every size-like parameter has a ``max``: a query may ask for anything.
    * ``compute(self, data, **params)``: ``data`` is a :class:`Series`
      (timestamps int64 ns or ``datetime64``, values float64 in which NaN
      marks a gap), ``params`` is what :meth:`validate` returned.  Return a
      :class:`Series` with int64 ns timestamps.  ``compute`` must not
      modify ``data``; its result may share memory with it.  Plugins should
      return finite values only (the API serialises them as JSON numbers).
    * The plugin object the service loads is an *instance* of a subclass
      (the entry point names the class, the service instantiates it without
      arguments); :func:`check_plugin` enforces all this at load time.

    :meth:`validate`, :meth:`describe` and :meth:`run` are provided; a plugin
    with rules between parameters overrides :meth:`check_parameters`.

    A complete plugin, registered in its package's ``setup.cfg`` under
    ``[options.entry_points] statsvc.statistics = scaled = mypkg:Scaled``::

        import numpy as np
        from statsvc.statistics import Parameter, Series, Statistic, clean

        class Scaled(Statistic):
            description = "Values multiplied by a factor, gaps dropped."
            parameters = (
                Parameter("factor", float, min=-1e6, max=1e6,
                          help="multiplier"),
                Parameter("absolute", bool, default=False,
                          help="take the absolute value first"),
            )

            def compute(self, data, factor, absolute):
                data = clean(data)          # int64/float64 arrays, no gaps
                values = np.abs(data.values) if absolute else data.values
                return Series(data.timestamps, values * factor)

    and its test, without a running service::

        out = Scaled().run([1, 2, 3], [1.0, float("nan"), -2.0],
                           factor="2", absolute="true")
        assert out.timestamps.tolist() == [1, 3]
        assert out.values.tolist() == [2.0, 4.0]
    """

    #: One line for ``/v1/capabilities``: what the statistic returns.
    description = ""
    #: One line: the unit of the results, in terms of the values' unit.
    unit = None
    #: One line: how gaps (NaN, +-inf values) are treated.
    gaps = None
    #: The accepted parameters, a tuple of :class:`Parameter`.
    parameters = ()

    @abc.abstractmethod
    def compute(self, data, **params):
        """Return a :class:`Series` computed from the :class:`Series` data."""

    def validate(self, query):
        """Turn a ``{name: str}`` query mapping into ``compute`` keywords.

        Every declared parameter is present in the result: absent optional
        ones get their default.  Raise :class:`ParameterError` naming the
        parameter for an unknown, missing, mistyped or out-of-range one,
        then apply :meth:`check_parameters`.
        """
        declared = {p.name: p for p in self.parameters}
        for name in query:
            if name not in declared:
                raise ParameterError(name, "unknown parameter")
        params = {}
        for p in self.parameters:
            if p.name in query:
                params[p.name] = p.parse(query[p.name])
            elif p.required:
                raise ParameterError(p.name, "is required")
            else:
                params[p.name] = p.default
        return self.check_parameters(params)

    def check_parameters(self, params):
        """Apply rules between parameters; return the (possibly new) dict.

        ``params`` has every declared parameter, typed and range-checked.
        Raise :class:`ParameterError` naming the offending parameter.  The
        default accepts everything.
        """
        return params

    def describe(self):
        """JSON-able description for ``/v1/capabilities``."""
        return {"description": self.description, "unit": self.unit,
                "gaps": self.gaps,
                "parameters": {p.name: p.describe() for p in self.parameters}}

    def run(self, timestamps, values, **query):
        """Validate ``query`` then compute: a plugin call without a service.

        ``timestamps`` and ``values`` are anything :func:`as_series` takes
        (lists are fine); ``query`` values are query strings or values of
        the declared types.  Raise :class:`ParameterError` exactly as the
        service would answer 400.
        """
        params = self.validate(query)
        return self.compute(as_series((timestamps, values)), **params)


def _one_line(text):
    """Whether ``text`` is one non-empty line."""
    return isinstance(text, str) and text.strip() and "\n" not in text.strip()


def check_plugin(obj):
    """Return ``obj`` if it is a usable statistic, else raise ContractError.

    Strict by design: the object must be an instance of :class:`Statistic`
    (duck-typed objects are refused, because :meth:`Statistic.validate` is
    what keeps queries within bounds), its ``description`` a non-empty
    one-line ``str`` (``unit`` and ``gaps`` too, unless None), its
    ``parameters`` a tuple or list of :class:`Parameter` with distinct
    names, and ``compute``, ``validate`` and ``describe`` callable.
    """
    if isinstance(obj, type):
        raise ContractError(f"{obj.__qualname__} is a class: the plugin is an"
                            f" instance of it")
    if not isinstance(obj, Statistic):
        raise ContractError(f"{obj!r} is not a statsvc.statistics.Statistic")
    description = obj.description
    if not _one_line(description):
        raise ContractError(f"{obj!r}: description must be one non-empty line")
    for name in ("unit", "gaps"):
        if getattr(obj, name) is not None and not _one_line(getattr(obj, name)):
            raise ContractError(f"{obj!r}: {name} must be None or one"
                                f" non-empty line")
    parameters = obj.parameters
    if not isinstance(parameters, (tuple, list)):
        raise ContractError(f"{obj!r}: parameters must be a tuple")
    names = set()
    for p in parameters:
        if not isinstance(p, Parameter):
            raise ContractError(f"{obj!r}: {p!r} is not a Parameter")
        if p.name in names:
            raise ContractError(f"{obj!r}: parameter {p.name!r} declared twice")
        names.add(p.name)
    for method in ("compute", "validate", "describe"):
        if not isinstance(getattr(obj, method, None), collections.abc.Callable):
            raise ContractError(f"{obj!r}: {method} is not callable")
    return obj
