"""Loads the ``statsvc.statistics`` plugins once per process, isolating failures.

Which plugins are offered is decided by entry point *name*, before anything
is imported (``[statistics] enabled`` / ``disabled``): a plugin the operator
turned off is never imported, so a broken one cannot fail, slow the start
or run import-time code.
"""
import logging

from statsvc import ext
from statsvc.api.errors import ApiError
from statsvc.statistics import ContractError, check_plugin

LOG = logging.getLogger(__name__)
NAMESPACE = "statsvc.statistics"


def _describe_entry_point(ep):
    dist = getattr(ep, "dist", None)
    origin = f" from {dist.name} {dist.version}" if dist is not None else ""
    return f"{ep.name} = {ep.value}{origin}"


def installed_names():
    """Names of the installed statistics, in discovery order; imports none."""
    # A manager asked for no names lists the entry points and loads nothing.
    return ext.NamedExtensionManager(NAMESPACE, names=()).entry_points_names()


def select(installed, enabled=(), disabled=()):
    """The names in ``installed`` to load: those in ``enabled`` (all if it is
    empty) that are not in ``disabled``."""
    enabled, disabled = set(enabled), set(disabled)
    return [name for name in dict.fromkeys(installed)
            if (not enabled or name in enabled) and name not in disabled]


class StatisticsRegistry:
    """The name→plugin dict the API serves, and the plugins that failed.

    :param enabled: if non-empty, only these statistic names are loaded.
    :param disabled: statistic names never loaded (nor imported).
    """

    def __init__(self, enabled=(), disabled=()):
        self.failed = {}
        #: name -> {"target", "requires"}: installed, but the extras its
        #: entry point names are not (``pip install 'dist[extra]'``), so
        #: never imported: the operator's choice, not a failure.
        self.unavailable = {}
        #: name -> {"count", "last_error"}: faults of loaded plugins while
        #: serving, in this process (see :meth:`record_runtime_error`).
        self.runtime_errors = {}
        installed = installed_names()
        absent = sorted(set(enabled) - set(installed))
        if absent:
            LOG.warning("[statistics] enabled names statistics that are not "
                        "installed: %s (installed: %s)", ", ".join(absent),
                        ", ".join(sorted(set(installed))) or "none")
        selected = select(installed, enabled, disabled)
        #: Sorted names of the installed statistics that the configuration
        #: turned off: neither loaded nor failed, since never imported.
        self.disabled = sorted(set(installed) - set(selected))
        selected = self._available(selected)
        manager = ext.NamedExtensionManager(
            NAMESPACE, names=selected,
            invoke_on_load=True,
            on_load_failure_callback=self._on_load_failure,
            # Every name asked for is installed: a missing one failed to
            # load, and that is recorded (and logged) already.
            warn_on_missing_entrypoint=False)
        self.plugins = {}
        for name, extension in manager.items():
            try:
                self.plugins[name] = check_plugin(extension.obj)
            except ContractError as e:
                self._record_failure(extension.entry_point, e)

    def _available(self, names):
        """``names`` less those whose entry point's extras are not
        installed (only entry points naming extras are checked: the check
        reads distribution metadata)."""
        wanted = set(names)
        for ep in ext.NamedExtensionManager(
                NAMESPACE, names=()).list_entry_points():
            if ep.name in wanted and ep.extras:
                problems = ext.unmet_requirements(ep)
                if problems:
                    LOG.info("statistic %s is unavailable: needs %s",
                             _describe_entry_point(ep), "; ".join(problems))
                    self.unavailable[ep.name] = {
                        "target": ep.value, "requires": problems,
                        "install": f"pip install '{ep.dist.name}"
                                   f"[{','.join(ep.extras)}]'"}
        return [name for name in names if name not in self.unavailable]

    def _on_load_failure(self, manager, entry_point, exc):
        self._record_failure(entry_point, exc)

    def _record_failure(self, entry_point, exc):
        reason = f"{type(exc).__name__}: {exc}"
        LOG.error("statistic %s failed to load: %s",
                  _describe_entry_point(entry_point), reason)
        self.failed[entry_point.name] = {
            "target": entry_point.value, "error": reason}

    def unusable(self, name, **details):
        """The error answering a query of ``name`` when it is installed
        but not loaded: a 500 if it failed to load, a 501 naming what to
        install if it is unavailable; ``None`` otherwise."""
        if name in self.failed:
            # Installed but broken: the server's fault, not the query's.
            return ApiError(500, f"Statistic {name!r} failed to load: "
                                 f"{self.failed[name]['error']}", **details)
        if name in self.unavailable:
            missing = self.unavailable[name]
            return ApiError(501, f"Statistic {name!r} is not available on "
                                 f"this server: it needs "
                                 f"{'; '.join(missing['requires'])} "
                                 f"({missing['install']})", **details)
        return None

    def record_runtime_error(self, name, reason):
        """Count a fault of the loaded plugin ``name`` for ``/v1/status``.

        Thread-safe enough without a lock: a lost increment between two
        threads only makes a diagnostic count one lower.
        """
        entry = self.runtime_errors.setdefault(name, {"count": 0})
        entry["count"] += 1
        entry["last_error"] = reason

    def __contains__(self, name):
        return name in self.plugins

    def __getitem__(self, name):
        return self.plugins[name]

    def names(self):
        """Sorted names of the statistics that loaded."""
        return sorted(self.plugins)
