"""Loggers that import :mod:`logging` only when there is something to say.

Importing logging costs a good part of a warm start.  Until some code
imports it, nothing can have configured it either, so a debug or info
record would be dropped (the root logger's level is WARNING): such calls
are skipped; warnings and errors import logging and are logged.
"""
import sys

_PACKAGE = __name__.rpartition('.')[0]


def _real(name):
    import logging
    package = logging.getLogger(_PACKAGE)
    if not package.handlers:
        # As stevedore: the application decides where records go.
        package.addHandler(logging.NullHandler())
    return logging.getLogger(name)


class Logger:
    """The subset of :class:`logging.Logger` the managers use."""

    def __init__(self, name):
        self.name = name

    def _quiet(self):
        return 'logging' not in sys.modules

    def debug(self, msg, *args, **kwargs):
        if not self._quiet():
            _real(self.name).debug(msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        _real(self.name).warning(msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        _real(self.name).error(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        _real(self.name).exception(msg, *args, **kwargs)

    def debugging(self):
        """Whether debug records would be emitted (to add tracebacks)."""
        return not self._quiet() and _real(self.name).isEnabledFor(10)
