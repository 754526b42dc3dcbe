"""Caches for the introspection pecan repeats on every request.

- ``pecan.compat.getargspec`` defines a new ``namedtuple`` class on every
  call, and pecan calls it about ten times per request to route and invoke
  a controller: 0.3-0.5 ms of a 2 ms request (measured with cProfile on
  ``POST /v1/metric/<id>/measures``). Argument specs never change, so one
  is computed per function and reused.
- ``RestController.__new__`` walks the class's members (``inspect
  .getmembers``) on every instantiation to refuse custom routes, and the
  metric's controllers are built per request: 88 us for ``/v1/metric/<id>``
  and its measures. A class is checked once.
"""
import collections
import functools
import inspect

from pecan import rest, util

ArgSpec = collections.namedtuple("ArgSpec", "args varargs keywords defaults")


@functools.lru_cache(maxsize=4096)
def _argspec_of(function):
    args, varargs, keywords, defaults = inspect.getfullargspec(function)[:4]
    return ArgSpec(args=args, varargs=varargs, keywords=keywords,
                   defaults=defaults)


def getargspec(function):
    """pecan's ``getargspec``, cached on the underlying function.

    Bound methods are new objects on every attribute access; their spec is
    that of ``__func__`` (``getfullargspec`` keeps ``self`` either way).
    """
    return _argspec_of(getattr(function, "__func__", function))


_rest_new = rest.RestController.__new__
_checked = set()


def rest_controller_new(cls, *args, **kwargs):
    """``RestController.__new__``, its check of ``cls`` run once per class."""
    if cls not in _checked:
        _rest_new(cls, *args, **kwargs)  # raises for a custom route
        _checked.add(cls)
    return object.__new__(cls)


def install():
    """Make pecan use the cached helpers (idempotent)."""
    util._getargspec = getargspec
    rest.RestController.__new__ = staticmethod(rest_controller_new)
