"""Loggers that import :mod:`logging` only when there is something to say.

Importing logging costs a good part of a warm start.  Until some code
imports it, nothing can have configured it either, so a debug record
would be dropped (the root logger's level is WARNING): such calls are
skipped; warnings and errors import logging and are logged.

Unlike stevedore, no ``NullHandler`` is installed: an application that
configures no logging still sees plugin failures on stderr (logging's
"last resort" handler) instead of nothing.
"""
import sys


def _real(name):
    import logging
    return logging.getLogger(name)


class Logger:
    """The subset of :class:`logging.Logger` the managers use."""

    def __init__(self, name):
        self.name = name

    def debug(self, msg, *args, **kwargs):
        if 'logging' in sys.modules:
            _real(self.name).debug(msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        _real(self.name).warning(msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        _real(self.name).error(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        _real(self.name).exception(msg, *args, **kwargs)

    def debugging(self):
        """Whether debug records would be emitted (to add tracebacks)."""
        if 'logging' not in sys.modules:
            return False
        import logging
        return _real(self.name).isEnabledFor(logging.DEBUG)
