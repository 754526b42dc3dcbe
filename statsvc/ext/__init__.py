"""statsvc.ext: the plugin core, a stevedore-compatible extension manager.

Plugins are entry points of installed distributions, grouped by namespace
(``statsvc.statistics``, ``statsvc.storage``)::

    [statsvc.storage]
    sqlite = statsvc.storage.sqlite_driver:SQLiteDriver

The managers and their arguments are stevedore's (5.x): code written for
stevedore works with ``statsvc.ext`` in its place.  Differences: the scan of
installed distributions is cached on disk (see :mod:`._discovery`),
``verify_requirements=True`` really checks requirements, and errors name the
namespace, the entry point and its distribution.

This package imports nothing else from statsvc, so that it can be published
on its own.
"""
from ._discovery import namespaces
from .driver import DriverManager
from .enabled import EnabledExtensionManager
from .extension import ExtensionManager
from .hook import HookManager
from .named import NamedExtensionManager

__all__ = [
    'ExtensionManager',
    'EnabledExtensionManager',
    'NamedExtensionManager',
    'HookManager',
    'DriverManager',
    'namespaces',
]
