"""Gnocchi's operations language for cross-metric aggregates; no HTTP here.

:mod:`.parser` reads the string form into nested lists, :mod:`.tree`
validates either form into nodes, :mod:`.grid` aligns the metrics' series
and :mod:`.evaluate` computes an expression over them.
"""


class InvalidOperations(ValueError):
    """An expression that cannot be parsed or evaluated.

    ``cause`` and ``reason`` are Gnocchi's words for it; ``path`` is the
    list of indexes from the expression's root to the offending node
    (``[]`` for the root), or ``None`` when the whole string is unreadable.
    """

    def __init__(self, cause, reason, path=None, **detail):
        super().__init__(reason)
        self.cause = cause
        self.reason = reason
        self.path = path
        self.detail = detail
