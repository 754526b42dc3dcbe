"""``GET /`` and the ``/v1`` tree."""
import pecan
from pecan import rest

from statsvc.api.controllers.aggregates import AggregatesController
from statsvc.api.controllers.aggregation import AggregationController
from statsvc.api.controllers.archive_policy import ArchivePoliciesController
from statsvc.api.controllers.archive_policy_rule import (
    ArchivePolicyRulesController)
from statsvc.api.controllers.batch import BatchController
from statsvc.api.controllers.capabilities import CapabilitiesController
from statsvc.api.controllers.influxdb import InfluxDBController
from statsvc.api.controllers.metric import MetricsController
from statsvc.api.controllers.prometheus import PrometheusController
from statsvc.api.controllers.resource import ResourceTypesIndexController
from statsvc.api.controllers.resource_type import ResourceTypesController
from statsvc.api.controllers.search import SearchController
from statsvc.api.controllers.status import StatusController
from statsvc.api.controllers.telemetry import MetricsController as Telemetry
from statsvc.api.openapi.document import DOCUMENT
from statsvc.api.responses import json_response
from statsvc.console.controller import ConsoleController

VERSION = {"id": "v1.0", "status": "CURRENT"}


class OpenAPIController(rest.RestController):
    """``GET /v1/openapi.json``."""

    @pecan.expose()
    def get_all(self):
        return json_response(DOCUMENT)


class V1Controller:
    """The v1 API: links to its resources."""

    metric = MetricsController()
    aggregates = AggregatesController()
    aggregation = AggregationController()
    archive_policy = ArchivePoliciesController()
    archive_policy_rule = ArchivePolicyRulesController()
    batch = BatchController()
    resource = ResourceTypesIndexController()
    resource_type = ResourceTypesController()
    search = SearchController()
    capabilities = CapabilitiesController()
    status = StatusController()
    influxdb = InfluxDBController()
    prometheus = PrometheusController()

    @pecan.expose()
    def index(self):
        base = pecan.request.application_url + "/v1"
        return json_response({"version": "1.0", "links": [
            {"rel": "self", "href": base}, *(
                {"rel": name, "href": f"{base}/{name}"}
                for name in ("aggregates", "aggregation", "archive_policy",
                             "archive_policy_rule", "batch", "capabilities",
                             "influxdb", "metric", "resource",
                             "resource_type", "search", "status"))]})


class RootController:
    """``GET /``: the versions this server speaks, as Gnocchi lists them."""

    v1 = V1Controller()
    console = ConsoleController()
    metrics = Telemetry()

    @pecan.expose()
    def index(self):
        href = pecan.request.application_url + "/v1/"
        return json_response({"versions": [dict(VERSION, links=[
            {"rel": "self", "href": href}])]})


# An attribute name with a dot can only be attached this way.
pecan.route(V1Controller, "openapi.json", OpenAPIController())
