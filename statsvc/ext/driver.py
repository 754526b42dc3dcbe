"""DriverManager: load exactly one plugin, by name.

Use it for a pluggable implementation of which the configuration picks one
(a storage driver, say).  A missing driver raises
:class:`~.exception.NoMatches`, a name provided by several distributions
:class:`~.exception.MultipleMatches`, and a driver that fails to load
raises its own error.
"""
from .exception import NoMatches
from .extension import error_on_conflict
from .named import NamedExtensionManager


class DriverManager(NamedExtensionManager):
    """Load a single plugin with a given name from the namespace.

    :param name: The name of the driver to load.
    :param on_load_failure_callback: Called as ``(manager, entrypoint,
        exception)`` when the driver cannot be loaded; by default the
        exception propagates.
    :param conflict_resolver: Chooses the driver when several entry points
        have the name; by default :func:`~.extension.error_on_conflict`
        raises :class:`~.exception.MultipleMatches`.

    The other arguments are those of
    :class:`~.named.NamedExtensionManager`.
    """

    def __init__(self, namespace, name, invoke_on_load=False, invoke_args=(),
                 invoke_kwds={}, on_load_failure_callback=None,
                 on_missing_entrypoints_callback=None,
                 verify_requirements=False, warn_on_missing_entrypoint=True,
                 *, conflict_resolver=error_on_conflict):
        super().__init__(
            namespace=namespace, names=[name],
            invoke_on_load=invoke_on_load, invoke_args=invoke_args,
            invoke_kwds=invoke_kwds,
            on_load_failure_callback=(on_load_failure_callback
                                      or self._default_on_load_failure),
            on_missing_entrypoints_callback=on_missing_entrypoints_callback,
            verify_requirements=verify_requirements,
            warn_on_missing_entrypoint=warn_on_missing_entrypoint,
            conflict_resolver=conflict_resolver)

    @staticmethod
    def _default_on_load_failure(drivermanager, ep, err):
        raise err

    @classmethod
    def make_test_instance(cls, extension, namespace='TESTING',
                           propagate_map_exceptions=False,
                           on_load_failure_callback=None,
                           verify_requirements=False, *,
                           conflict_resolver=error_on_conflict):
        """Build a driver manager around one given
        :class:`~.extension.Extension`; nothing is looked up or loaded."""
        return super().make_test_instance(
            [extension], namespace=namespace,
            propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback,
            verify_requirements=verify_requirements,
            conflict_resolver=conflict_resolver)

    def _init_plugins(self, extensions):
        super()._init_plugins(extensions)
        name = self._names[0]
        if not self.extensions:
            installed = sorted(set(self.entry_points_names()))
            raise NoMatches(
                f'No {self.namespace!r} driver found, looking for {name!r} '
                f'(installed: {", ".join(installed) or "none"})')
        if len(self.extensions) > 1:
            # Several entry points share the one name we load.
            self.extensions = [self._conflict_resolver(
                self.namespace, name, self.extensions)]

    def __call__(self, func, *args, **kwds):
        """Return ``func(extension, *args, **kwds)`` for the driver, or
        ``None`` if it raised (the error is logged)."""
        results = self.map(func, *args, **kwds)
        return results[0] if results else None

    @property
    def driver(self):
        """The driver: the object built on load, or else the plugin."""
        ext = self.extensions[0]
        return ext.obj if ext.obj is not None else ext.plugin
