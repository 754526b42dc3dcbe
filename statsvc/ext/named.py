"""NamedExtensionManager: load only the plugins given by name.

Use it when configuration lists the plugins to enable (``names``); plugins
not named are never imported.
"""

from . import _log
from .extension import ExtensionManager
from .extension import ignore_conflicts

LOG = _log.Logger(__name__)


def warning_on_missing_entrypoint(missing_names):
    """An ``on_missing_entrypoints_callback`` that logs a warning."""
    LOG.warning('Could not load %s', ', '.join(sorted(missing_names)))


class NamedExtensionManager(ExtensionManager):
    """Loads only the named extensions.

    :param names: The names of the extensions to load.
    :param name_order: If true, order the extensions as in ``names``
        (otherwise in the order the entry points are found).
    :param on_missing_entrypoints_callback: Called with the set of names
        that were not loaded (absent or failed).
    :param warn_on_missing_entrypoint: Whether to log a warning for names
        that were not loaded, when there is no
        ``on_missing_entrypoints_callback``.

    The other arguments are those of
    :class:`~.extension.ExtensionManager`.
    """

    def __init__(self, namespace, names, invoke_on_load=False,
                 invoke_args=(), invoke_kwds={}, name_order=False,
                 propagate_map_exceptions=False,
                 on_load_failure_callback=None,
                 on_missing_entrypoints_callback=None,
                 verify_requirements=False, warn_on_missing_entrypoint=True,
                 *, conflict_resolver=ignore_conflicts):
        self._conflict_resolver = conflict_resolver
        self._init_attributes(
            namespace, names, name_order=name_order,
            propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback)
        extensions = self._call_load_plugins(
            invoke_on_load, invoke_args, invoke_kwds, verify_requirements)
        self._missing_names = set(names) - {e.name for e in extensions}
        if self._missing_names:
            if on_missing_entrypoints_callback:
                on_missing_entrypoints_callback(self._missing_names)
            elif warn_on_missing_entrypoint:
                self._warn_missing()
        self._init_plugins(extensions)

    def _init_test_attributes(self, namespace, extensions, **kwargs):
        # Every extension given to make_test_instance counts as named.
        self._init_attributes(namespace, [e.name for e in extensions],
                              **kwargs)

    def _init_attributes(self, namespace, names, name_order=False,
                         propagate_map_exceptions=False,
                         on_load_failure_callback=None):
        super()._init_attributes(
            namespace, propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback)
        self._names = names
        self._missing_names = set()
        self._name_order = name_order

    def _init_plugins(self, extensions):
        super()._init_plugins(extensions)
        if self._name_order:
            self.extensions = [self[n] for n in self._names
                               if n not in self._missing_names]

    def _warn_missing(self):
        installed = set(self.entry_points_names())
        absent = sorted(self._missing_names - installed)
        failed = sorted(self._missing_names & installed)
        LOG.warning(
            'Could not load %s from namespace %r%s (installed: %s)',
            ', '.join(repr(n) for n in absent + failed), self.namespace,
            f' ({", ".join(failed)} failed, see above)' if failed else '',
            ', '.join(sorted(installed)) or 'none')

    def _load_one_plugin(self, ep, invoke_on_load, invoke_args, invoke_kwds,
                         verify_requirements=False):
        # Decide on the name first, so unwanted code is never imported.
        if ep.name not in self._names:
            return None
        return super()._load_one_plugin(ep, invoke_on_load, invoke_args,
                                        invoke_kwds, verify_requirements)
