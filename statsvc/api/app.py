"""Builds the pecan WSGI application."""
import logging

import pecan

from statsvc import config as config_module
from statsvc import storage as storage_module
from statsvc.api import auth
from statsvc.api import hooks, pecan_caches, policies, telemetry
from statsvc.api.request import Request
from statsvc.api.statistics_registry import StatisticsRegistry

LOG = logging.getLogger(__name__)


def setup_app(conf=None):
    """Return the WSGI app for ``conf`` (a :class:`statsvc.config.Config`;
    loaded from ``$STATSVC_CONFIG`` when omitted).

    Plugins, the storage driver and the authenticator are loaded here, once
    per process.
    """
    pecan_caches.install()
    if conf is None:
        conf = config_module.load()
    # Read per request; checked here so that a bad value stops the start.
    conf.getint("api", "max_limit")
    conf.getboolean("api", "metrics_without_policy")
    authenticator = auth.from_config(conf)
    storage = telemetry.CountingStorage(
        storage_module.load_driver(conf.section("storage")))
    policies.install_defaults(storage)
    statistics = StatisticsRegistry(
        enabled=conf.getlist("statistics", "enabled"),
        disabled=conf.getlist("statistics", "disabled"))
    LOG.info("statistics loaded: %s; failed: %s; storage: %s",
             ", ".join(statistics.names()) or "none",
             ", ".join(sorted(statistics.failed)) or "none", storage.name)
    return pecan.make_app(
        "statsvc.api.controllers.root.RootController",
        hooks=[hooks.ContextHook(conf, storage, statistics),
               hooks.AcceptHook(), hooks.AuthHook(authenticator),
               hooks.ErrorHook(), hooks.AccessLogHook(),
               telemetry.TelemetryHook()],
        debug=False,
        request_cls=Request,
        force_canonical=False,
        # /v1/metric/x.json must not be read as "x, rendered as JSON".
        guess_content_type_from_ext=False,
    )
