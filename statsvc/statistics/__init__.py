"""The contract for statistics plugins (entry-point namespace ``statsvc.statistics``).

Public names: :class:`Statistic` (base class, see its docstring for the
contract and an example plugin), :class:`Parameter`, :data:`REQUIRED`,
:class:`ParameterError`, :class:`ContractError`, :func:`check_plugin`,
:class:`Series` and the series helpers :func:`as_series`,
:func:`drop_gaps` and :func:`clean`.
"""
from statsvc.statistics.base import Statistic, check_plugin
from statsvc.statistics.params import (
    REQUIRED, ContractError, Parameter, ParameterError)
from statsvc.statistics.series import Series, as_series, clean, drop_gaps

__all__ = ["REQUIRED", "ContractError", "Parameter", "ParameterError",
           "Series", "Statistic", "as_series", "check_plugin", "clean",
           "drop_gaps"]
