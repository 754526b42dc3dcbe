"""``/v1/influxdb``: the InfluxDB 1.x write API (and 2.x's
``/api/v2/write``) that Telegraf and ``influxdb-client`` speak.

A database is a resource type (``CREATE DATABASE`` creates it, as in
Gnocchi); each point's resource is named by its ``host`` tag (or the tag
named in ``X-Gnocchi-InfluxDB-Tag-Resource-ID``); parsing and mapping live
in :mod:`statsvc.ingest`.
"""
import importlib.metadata
import re
import time

import pecan
from pecan import rest
import webob.exc

from statsvc.api import policies
from statsvc.api.errors import ApiError
from statsvc.api.ingest.store import ensure_type, store
from statsvc.api.raw_body import read_raw
from statsvc.api.responses import empty_response
from statsvc.ingest import line_protocol, mapping

TAG_HEADER = "X-Gnocchi-InfluxDB-Tag-Resource-ID"
_CREATE_DATABASE = re.compile(
    r'\s*create\s+database\s+(?:"((?:[^"\\]|\\.)+)"|([A-Za-z_]\w*))\s*;?\s*\Z',
    re.IGNORECASE)


class PingController:
    """``GET|HEAD /v1/influxdb/ping``: what clients check before writing
    (a RestController has no HEAD)."""

    @pecan.expose()
    def index(self):
        if pecan.request.method not in ("GET", "HEAD"):
            raise webob.exc.HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD"})
        response = empty_response(204)
        response.headers["X-Influxdb-Version"] = \
            f"statsvc {importlib.metadata.version('statsvc')}"
        return response


class QueryController(rest.RestController):
    """``POST /v1/influxdb/query?q=CREATE DATABASE <name>``: creates the
    resource type ``<name>`` (admins only, as any resource type); any other
    query is a 400 (Gnocchi answers 501, a server error to clients that
    retry those)."""

    @pecan.expose()
    def post(self, q=None, **_ignored):
        request = pecan.request
        match = _CREATE_DATABASE.match(q or "")
        if match is None:
            raise ApiError(400, {"cause": "Not implemented error",
                                 "detail": "q", "reason": "only CREATE "
                                 "DATABASE <name> is implemented"})
        policies.require_admin(request)
        name = match.group(1) or match.group(2)
        ensure_type(request.storage, {"name": re.sub(r"\\(.)", r"\1", name)})
        return empty_response(204)


def write(database_param, allowed):
    """Store the line-protocol body in the database (resource type) named
    by the query parameter ``database_param``.

    Parameters are read from the query string only: a body sent as a form
    (``curl -d``) must not be taken for parameters.
    """
    request = pecan.request
    unknown = sorted(set(request.GET) - {database_param, "precision",
                                         *allowed})
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) {', '.join(unknown)}")
    db = request.GET.get(database_param, "influxdb").partition("/")[0]
    precision = request.GET.get("precision", "ns")
    if precision not in line_protocol.PRECISIONS:
        raise ApiError(400, {"cause": "Value error", "detail": "precision",
                             "reason": f"precision must be one of "
                             f"{', '.join(line_protocol.PRECISIONS)}"})
    body = read_raw(request, request.conf.getint("api", "max_body_size"))
    tag = request.headers.get(TAG_HEADER, "host")
    try:
        series = mapping.influx_series(line_protocol.parse(
            body, precision, time.time_ns()), tag)
    except (line_protocol.LineError, mapping.MappingError) as e:
        raise ApiError(400, {"cause": "Value error", "detail": "line",
                             "line": e.line, "reason": str(e)}) from None
    store(request, db, series)
    return empty_response(204)


class WriteController(rest.RestController):
    """``POST /v1/influxdb/write?db=<db>[&precision=<unit>]``."""

    @pecan.expose()
    def post(self, **_params):
        return write("db", ("rp", "consistency", "u", "p"))


class V2WriteController(rest.RestController):
    """``POST /v1/influxdb/api/v2/write?bucket=<db>[&precision=<unit>]``:
    InfluxDB 2.x's write, as ``influxdb-client`` sends it; the bucket is
    the database (``db/rp`` as 2.x's 1.x compatibility names them)."""

    @pecan.expose()
    def post(self, **_params):
        return write("bucket", ("org", "orgID"))


class V2Controller:
    write = V2WriteController()


class ApiController:
    v2 = V2Controller()


class InfluxDBController:
    """``/v1/influxdb``."""

    ping = PingController()
    query = QueryController()
    write = WriteController()
    api = ApiController()
