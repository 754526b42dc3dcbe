"""EnabledExtensionManager: load the plugins a check function accepts.

Use it when whether a plugin is wanted depends on the plugin itself (its
class, attributes or the object built from it) rather than on its name.
"""

from . import _log
from .extension import ExtensionManager
from .extension import ignore_conflicts

LOG = _log.Logger(__name__)


class EnabledExtensionManager(ExtensionManager):
    """Loads only plugins that pass a check function.

    :param check_func: Called with each loaded
        :class:`~.extension.Extension`; it is kept only if this returns
        true.

    The other arguments are those of
    :class:`~.extension.ExtensionManager`.
    """

    def __init__(self, namespace, check_func, invoke_on_load=False,
                 invoke_args=(), invoke_kwds={},
                 propagate_map_exceptions=False,
                 on_load_failure_callback=None, verify_requirements=False, *,
                 conflict_resolver=ignore_conflicts):
        self.check_func = check_func
        super().__init__(
            namespace, invoke_on_load=invoke_on_load,
            invoke_args=invoke_args, invoke_kwds=invoke_kwds,
            propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback,
            verify_requirements=verify_requirements,
            conflict_resolver=conflict_resolver)

    def _load_one_plugin(self, ep, invoke_on_load, invoke_args, invoke_kwds,
                         verify_requirements=False):
        ext = super()._load_one_plugin(ep, invoke_on_load, invoke_args,
                                       invoke_kwds, verify_requirements)
        if ext and not self.check_func(ext):
            LOG.debug('ignoring extension %r', ep.name)
            return None
        return ext
