"""The contract for statistics plugins (namespace ``statsvc.statistics``)."""
from statsvc.statistics.base import (  # noqa: F401
    ContractError, Parameter, ParameterError, Series, Statistic,
    check_plugin)
