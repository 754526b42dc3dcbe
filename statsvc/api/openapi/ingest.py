"""The OpenAPI paths of the ingest protocols (InfluxDB line protocol,
Prometheus remote_write) and of the service's own metrics for Prometheus,
merged into :data:`statsvc.api.openapi.document.DOCUMENT`."""
from statsvc.api.openapi import parts
from statsvc.ingest.line_protocol import PRECISIONS

_NO_CONTENT = {"description": "Stored"}
_PRECISION = parts.query("precision", {"type": "string",
                                       "enum": list(PRECISIONS)},
                         "unit of the lines' timestamps (default ns)")
_LINES = {"required": True, "content": {"text/plain": {"schema": {
    "type": "string", "description": "InfluxDB line protocol; gzip with "
                                     "Content-Encoding: gzip"}}}}
_WRITE = {
    "requestBody": _LINES,
    "responses": {"204": _NO_CONTENT, **parts.errors(400, 404, 409, 413,
                                                      415, 503)}}
_RESOURCE_TAG = {"name": "X-Gnocchi-InfluxDB-Tag-Resource-ID",
                 "in": "header", "required": False,
                 "schema": {"type": "string"},
                 "description": "the tag that names the resource (host)"}


def paths():
    return {
        "/metrics": {"get": {
            "summary": "The service's own metrics, in Prometheus' text "
                       "format (admins)",
            "responses": {"200": {"description": "OK", "content": {
                "text/plain": {"schema": {"type": "string"}}}},
                **parts.errors(403)}}},
        "/v1/influxdb/ping": {"get": {
            "summary": "InfluxDB's ping (also HEAD)",
            "responses": {"204": {"description": "Up", "headers": {
                "X-Influxdb-Version": {"schema": {"type": "string"}}}},
                **parts.errors()}}},
        "/v1/influxdb/query": {"post": {
            "summary": "CREATE DATABASE <name>: create the resource type "
                       "<name> (admin); other queries are a 400",
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"204": {"description": "Created or existing"},
                          **parts.errors(400, 403, 503)}}},
        "/v1/influxdb/write": {"post": {
            "summary": "Write line protocol: each point's resource is its "
                       "host tag, each numeric field the metric "
                       "<measurement>.<field>[@<tag>=<value>,...]; all or "
                       "nothing",
            "parameters": [
                parts.query("db", {"type": "string"},
                            "the resource type of the resources "
                            "(default influxdb)"),
                _PRECISION, _RESOURCE_TAG,
                *(parts.query(name, {"type": "string"}, "ignored")
                  for name in ("rp", "consistency", "u", "p"))],
            **_WRITE}},
        "/v1/influxdb/api/v2/write": {"post": {
            "summary": "InfluxDB 2.x's write (influxdb-client): as "
                       "/v1/influxdb/write, the bucket as database",
            "parameters": [
                parts.query("bucket", {"type": "string"},
                            "database[/retention policy]"),
                _PRECISION, _RESOURCE_TAG,
                *(parts.query(name, {"type": "string"}, "ignored")
                  for name in ("org", "orgID"))],
            **_WRITE}},
        "/v1/prometheus/write": {"post": {
            "summary": "Prometheus remote_write: a resource of type "
                       "prometheus per job and instance, a metric per "
                       "__name__ and label set",
            "requestBody": {"required": True, "content": {
                "application/x-protobuf": {"schema": {
                    "type": "string", "format": "binary",
                    "description": "snappy-compressed WriteRequest"}}}},
            "responses": {"204": _NO_CONTENT,
                          **parts.errors(400, 409, 413, 415, 503)}}},
    }
