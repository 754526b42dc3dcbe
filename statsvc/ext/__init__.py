"""statsvc.ext: the plugin core, a stevedore-compatible extension manager.

How plugins are found
---------------------
A plugin is an entry point of an installed distribution; its group is the
*namespace*.  A third-party package declares, in its ``setup.cfg``::

    [options.entry_points]
    statsvc.statistics =
        hampel-filter = statsvc_hampel:HampelFilter

(or ``[project.entry-points."statsvc.statistics"]`` in ``pyproject.toml``)
and, once installed (``pip install``, ``pip install -e`` or a folder of
``*.dist-info`` on ``sys.path``), is found by every manager of that
namespace.  The search is importlib.metadata's: ``sys.path`` in order, the
``*.dist-info``/``*.egg-info`` folders of each entry in directory order,
and only the first distribution of a given name counts.  Two *different*
distributions may register the same name in one namespace:
:class:`DriverManager` then raises :class:`~.exception.MultipleMatches`
naming both, and ``statsvc-plugins list`` shows the conflict.

The managers
------------
The classes, arguments and behaviour are stevedore's (5.x), so code written
for stevedore works with ``statsvc.ext`` in its place:
:class:`ExtensionManager` (all plugins), :class:`NamedExtensionManager`
(those named), :class:`EnabledExtensionManager` (those a function accepts),
:mod:`.dispatch` (all, chosen per call), :class:`HookManager` (every plugin
of one name) and :class:`DriverManager` (exactly one).

Differences from stevedore
--------------------------
* Start-up: the scan of installed distributions is cached on disk and
  checked against the file system on every use (:mod:`._discovery`), and
  plugin modules are imported without searching ``sys.path`` again while
  nothing there changed (:mod:`._hints`).  ``STATSVC_EXT_CACHE=0`` turns
  both off.
* ``verify_requirements=True`` checks that each plugin's distribution has
  its requirements installed, and skips it with the reason otherwise;
  :func:`unmet_requirements` checks one entry point (with its extras).
* Errors name the namespace, the entry point (``name = module:attr``) and
  its distribution with its version; with no logging configured they
  still reach stderr (stevedore installs a ``NullHandler``).

This package imports nothing else from statsvc, so that it can be published
on its own.
"""
from ._discovery import namespaces
from .driver import DriverManager
from .enabled import EnabledExtensionManager
from .extension import ExtensionManager, unmet_requirements
from .hook import HookManager
from .named import NamedExtensionManager

__all__ = [
    'ExtensionManager',
    'EnabledExtensionManager',
    'NamedExtensionManager',
    'HookManager',
    'DriverManager',
    'namespaces',
    'unmet_requirements',
]
