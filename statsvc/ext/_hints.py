"""Import hints: find plugin modules where they were found last time.

Importing 200 small plugin modules spends a third of its time searching
``sys.path``.  After a manager has loaded its plugins, the file of each
plugin module and of its parent packages is remembered next to the entry
point cache, with the ``mtime_ns`` of the directories that decided where it
was found (the one holding it and, for a package, its own).  While those
directories and the cache's fingerprint (every ``sys.path`` directory) are
unchanged, a search can only give the same answer, so a finder placed just
before ``PathFinder`` gives it at once.  Finders ahead of ``PathFinder``,
import locks, ``sys.modules`` and parent packages work as usual.  Only plain
source modules (``SourceFileLoader``) are hinted.
"""
import os
import sys
import time
from importlib.machinery import ModuleSpec
from importlib.machinery import PathFinder
from importlib.machinery import SourceFileLoader

from . import _discovery

_INIT = os.sep + '__init__.py'


class _HintFinder:
    """A meta path finder that answers from remembered locations."""

    def __init__(self, hints):
        self.hints = hints  # {module: (origin, base dir mtime, pkg mtime)}
        self._mtimes = {}  # each directory is checked once per load

    def _unchanged(self, folder, mtime):
        if folder not in self._mtimes:
            self._mtimes[folder] = _mtime(folder)
        return self._mtimes[folder] == mtime

    def find_spec(self, name, path=None, target=None):
        hint = self.hints.get(name)
        if hint is None:
            return None
        origin, base_mtime, package_mtime = hint
        package = os.path.dirname(origin) if package_mtime else None
        base = os.path.dirname(package or origin)
        # A submodule is searched for in its parent's __path__ only.
        if path is not None and list(path) != [base]:
            return None
        if not self._unchanged(base, base_mtime) or (
                package and not self._unchanged(package, package_mtime)):
            return None
        spec = ModuleSpec(name, SourceFileLoader(name, origin), origin=origin,
                          is_package=package is not None)
        spec.has_location = True
        if package:
            spec.submodule_search_locations = [package]
        return spec


def _mtime(folder):
    try:
        return str(os.stat(folder).st_mtime_ns)
    except OSError:
        return None


class hinted_imports:
    """Context manager around the loading of the plugins of ``manager``:
    uses the hints while inside, remembers new ones on the way out."""

    def __init__(self, manager):
        self._manager = manager
        self._finder = None

    def __enter__(self):
        if not (self._manager.USE_DISK_CACHE and _discovery.cache_enabled()):
            return self
        self._started_ns = time.time_ns()
        self._manager.list_entry_points()  # surveys, unless known already
        index = _discovery._memo
        if index is None or index.surveyed_ns < self._started_ns:
            # Hints are only as good as a fingerprint checked just now.
            index = _discovery.index()
        if index.cache_file is None:
            return self  # nowhere to write
        self._file = index.cache_file + '.modules'
        self._fingerprint = index.fingerprint
        fields = _discovery.read_fields(self._file, self._fingerprint) or []
        hints = {name: (origin, base, package) for name, origin, base, package
                 in zip(*[iter(fields)] * 4)}
        self._finder = _HintFinder(hints)
        meta_path = sys.meta_path
        where = (meta_path.index(PathFinder) if PathFinder in meta_path
                 else len(meta_path))
        meta_path.insert(where, self._finder)
        return self

    def __exit__(self, *exc_info):
        if self._finder is None:
            return
        try:
            sys.meta_path.remove(self._finder)
        except ValueError:
            pass
        hints = self._finder.hints
        new = {}
        for ep in self._manager.list_entry_points():
            for name in _module_and_parents(ep):
                if name not in hints and name not in new:
                    hint = self._hint(sys.modules.get(name))
                    if hint:
                        new[name] = hint
        if new:
            hints.update(new)
            _discovery.write_fields(
                self._file, self._fingerprint,
                [field for name, hint in hints.items()
                 for field in (name, *hint)])

    def _hint(self, module):
        spec = getattr(module, '__spec__', None)
        if (spec is None or type(spec.loader) is not SourceFileLoader
                or not spec.has_location or not spec.origin):
            return None
        origin = spec.origin
        is_package = origin.endswith(_INIT)
        if bool(spec.submodule_search_locations) != is_package or (
                is_package and spec.submodule_search_locations
                != [os.path.dirname(origin)]):
            return None
        package = os.path.dirname(origin) if is_package else None
        base = os.path.dirname(package or origin)
        stamps = [_mtime(base), _mtime(package) if package else '']
        if None in stamps or any(
                s and int(s) >= self._started_ns - _discovery._RACY_NS
                for s in stamps):
            return None  # changed too recently to vouch for
        return origin, *stamps


def _module_and_parents(ep):
    """``a``, ``a.b``, ``a.b.c`` for an entry point ``a.b.c:attr``."""
    try:
        parts = ep.module.split('.')
    except Exception:  # a malformed value: it failed to load anyway
        return []
    return ['.'.join(parts[:i]) for i in range(1, len(parts) + 1)]
