"""``GET /metrics``: the service's own metrics for Prometheus (admins)."""
import pecan
import webob
from pecan import rest

from statsvc.api import policies, telemetry


class MetricsController(rest.RestController):

    @pecan.expose()
    def get_all(self):
        policies.require_admin(pecan.request)
        body, content_type = telemetry.exposition()
        response = webob.Response(body=body, charset=None)
        response.headers["Content-Type"] = content_type
        return response
