"""Dispatch managers: load every plugin, choose which to call per call.

Use them in long-running processes that route each input to some of the
plugins: :class:`DispatchExtensionManager` with a filter function,
:class:`NameDispatchExtensionManager` with the names to call.
"""

from . import _log
from .enabled import EnabledExtensionManager

LOG = _log.Logger(__name__)


class DispatchExtensionManager(EnabledExtensionManager):
    """Loads all plugins (that pass ``check_func``) and filters on execution.

    Takes the arguments of :class:`~.enabled.EnabledExtensionManager`.
    """

    def map(self, filter_func, func, *args, **kwds):
        """Call ``func(ext, *args, **kwds)`` for each extension for which
        ``filter_func(ext, *args, **kwds)`` is true.

        Errors in ``func`` are handled as in
        :meth:`~.extension.ExtensionManager.map`.

        :returns: The list of values returned by ``func``.
        :raises NoMatches: If no extension is loaded.
        """
        # Lazily: filter_func and func alternate, one extension at a time.
        chosen = (e for e in self.extensions if filter_func(e, *args, **kwds))
        return self._map(chosen, func, *args, **kwds)

    def map_method(self, filter_func, method_name, *args, **kwds):
        """Call ``ext.obj.<method_name>(*args, **kwds)`` for each extension
        that passes ``filter_func``."""
        return self.map(filter_func, self._call_extension_method,
                        method_name, *args, **kwds)


class NameDispatchExtensionManager(DispatchExtensionManager):
    """Loads all plugins (that pass ``check_func``); each call names the
    extensions to invoke.

    Takes the arguments of :class:`~.enabled.EnabledExtensionManager`.
    """

    def _init_plugins(self, extensions):
        super()._init_plugins(extensions)
        self.by_name = {e.name: e for e in self.extensions}

    def map(self, names, func, *args, **kwds):
        """Call ``func(ext, *args, **kwds)`` for the extensions named in
        ``names``, in that order; unknown names are ignored.

        :returns: The list of values returned by ``func``.
        """
        response = []
        for name in names:
            e = self.by_name.get(name)
            if e is None:
                LOG.debug('Missing extension %r being ignored', name)
            else:
                self._invoke_one_plugin(response.append, func, e,
                                        *args, **kwds)
        return response

    def map_method(self, names, method_name, *args, **kwds):
        """Call ``ext.obj.<method_name>(*args, **kwds)`` for the extensions
        named in ``names``."""
        return self.map(names, self._call_extension_method, method_name,
                        *args, **kwds)
