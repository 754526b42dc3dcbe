"""HookManager: run every plugin registered under one name.

Use it for hooks: several distributions may each register a plugin under
the same name (``namespace``/``name``) and all of them are loaded; none is
not an error.
"""
from .extension import ignore_conflicts
from .named import NamedExtensionManager


class HookManager(NamedExtensionManager):
    """Coordinate execution of multiple extensions using a common name.

    :param name: The name of the hooks to load.
    :param warn_on_missing_entrypoint: Whether to log a warning when no
        hook was loaded (off: having no hooks is normal).

    The other arguments are those of
    :class:`~.named.NamedExtensionManager`; ``conflict_resolver`` is
    accepted for symmetry, hooks never conflict.
    """

    def __init__(self, namespace, name, invoke_on_load=False, invoke_args=(),
                 invoke_kwds={}, on_load_failure_callback=None,
                 on_missing_entrypoints_callback=None,
                 verify_requirements=False, warn_on_missing_entrypoint=False,
                 *, conflict_resolver=ignore_conflicts):
        super().__init__(
            namespace, [name], invoke_on_load=invoke_on_load,
            invoke_args=invoke_args, invoke_kwds=invoke_kwds,
            on_load_failure_callback=on_load_failure_callback,
            on_missing_entrypoints_callback=on_missing_entrypoints_callback,
            verify_requirements=verify_requirements,
            warn_on_missing_entrypoint=warn_on_missing_entrypoint,
            conflict_resolver=conflict_resolver)

    @property
    def _name(self):
        return self._names[0]

    def __getitem__(self, name):
        """Return the list of the extensions called ``name``, in
        :meth:`map` order."""
        if name != self._name:
            raise KeyError(name)
        return self.extensions
