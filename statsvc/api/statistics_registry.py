"""Loads the ``statsvc.statistics`` plugins once per process, isolating failures."""
import logging

from statsvc import ext
from statsvc.statistics import ContractError, check_plugin

LOG = logging.getLogger(__name__)
NAMESPACE = "statsvc.statistics"


def _describe_entry_point(ep):
    dist = getattr(ep, "dist", None)
    origin = f" from {dist.name} {dist.version}" if dist is not None else ""
    return f"{ep.name} = {ep.value}{origin}"


class StatisticsRegistry:
    """The name→plugin dict the API serves, and the plugins that failed.

    :param enabled: if non-empty, only these statistic names are loaded.
    :param disabled: statistic names never loaded.
    """

    def __init__(self, enabled=(), disabled=()):
        self.failed = {}
        self._enabled = set(enabled)
        self._disabled = set(disabled)
        manager = ext.EnabledExtensionManager(
            NAMESPACE, check_func=self._is_enabled, invoke_on_load=True,
            on_load_failure_callback=self._on_load_failure)
        self.plugins = {}
        for extension in manager:
            try:
                self.plugins[extension.name] = check_plugin(extension.obj)
            except ContractError as e:
                self._record_failure(extension.entry_point, e)

    def _is_enabled(self, extension):
        name = extension.name
        if self._enabled and name not in self._enabled:
            return False
        return name not in self._disabled

    def _on_load_failure(self, manager, entry_point, exc):
        self._record_failure(entry_point, exc)

    def _record_failure(self, entry_point, exc):
        reason = f"{type(exc).__name__}: {exc}"
        LOG.error("statistic %s failed to load: %s",
                  _describe_entry_point(entry_point), reason)
        self.failed[entry_point.name] = {
            "target": entry_point.value, "error": reason}

    def __contains__(self, name):
        return name in self.plugins

    def __getitem__(self, name):
        return self.plugins[name]

    def names(self):
        """Sorted names of the statistics that loaded."""
        return sorted(self.plugins)
