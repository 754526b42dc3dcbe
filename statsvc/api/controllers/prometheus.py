"""``POST /v1/prometheus/write``: Prometheus remote_write, mapped onto
``prometheus`` resources (one per job and instance) as Gnocchi does."""
import pecan
from pecan import rest

from statsvc.api.errors import ApiError
from statsvc.api.ingest.store import ensure_type, store
from statsvc.api.raw_body import read_raw
from statsvc.api.responses import empty_response
from statsvc.ingest import mapping, remote_write

# Gnocchi's type, created on the first write (its maximum length is 512,
# over the 255 a string attribute may have here).
RESOURCE_TYPE = {"name": "prometheus", "attributes": {
    name: {"type": "string", "min_length": 1, "max_length": 255,
           "required": True} for name in ("instance", "job")}}


class PrometheusWriteController(rest.RestController):
    """A 204 when stored; a 400 (which Prometheus drops, never retries)
    for a body that is not a snappy-compressed ``WriteRequest``."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        max_size = request.conf.getint("api", "max_body_size")
        body = read_raw(request, max_size, own_encoding="snappy")
        try:
            series, attributes = mapping.prometheus_series(
                remote_write.decode(body, max_size))
        except (remote_write.MalformedBody, mapping.MappingError) as e:
            raise ApiError(400, {"cause": "Invalid remote_write body",
                                 "reason": str(e)}) from None
        ensure_type(request.storage, RESOURCE_TYPE)
        store(request, RESOURCE_TYPE["name"], series, attributes)
        return empty_response(204)


class PrometheusController:
    """``/v1/prometheus``."""

    write = PrometheusWriteController()
