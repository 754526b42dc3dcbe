"""The OpenAPI 3 document of the v1 API, served at ``/v1/openapi.json``.

``tests/functional/test_openapi.py`` checks it against the routes the app
really serves.
"""

_ERROR = {"description": "Error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}
_METRIC_ID = {"name": "metric_id", "in": "path", "required": True,
              "schema": {"type": "string", "format": "uuid"}}
_TIMESTAMP = {"anyOf": [{"type": "string"}, {"type": "number"}],
              "description": "ISO 8601 (naive is UTC) or epoch seconds"}
_SORT_KEYS = ("id", "name", "unit", "archive_policy_name", "resource_id")
# The discovery documents need no credentials.
_PUBLIC = {"security": []}


def _json(schema, description="OK"):
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _errors(*codes):
    """Error responses: ``codes`` and the 401 of every secured operation."""
    return {str(code): _ERROR for code in (401, *codes)}


def _string(max_length):
    return {"type": "string", "nullable": True, "maxLength": max_length}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "statsvc", "version": "1.0",
             "description": "Gnocchi-style metrics, measures and "
                            "statistics plugins. With auth_mode = none "
                            "no credentials are needed; a user sees only "
                            "the metrics they created, an admin all."},
    "security": [{"basic": []}],
    "paths": {
        "/": {"get": {"summary": "API versions", **_PUBLIC,
                      "responses": {"200": _json({"type": "object"})}}},
        "/v1": {"get": {"summary": "Links to the v1 resources", **_PUBLIC,
                        "responses": {"200": _json({"type": "object"})}}},
        "/v1/openapi.json": {"get": {
            "summary": "This document", **_PUBLIC,
            "responses": {"200": _json({"type": "object"})}}},
        "/v1/capabilities": {"get": {
            "summary": "Statistics, aggregation methods and storage driver",
            "responses": {"200": _json(_ref("Capabilities")),
                          **_errors()}}},
        "/v1/status": {"get": {
            "summary": "Storage reachability and plugin health",
            "responses": {"200": _json(_ref("Status")),
                          "503": _json(_ref("Status"),
                                       "Storage unreachable"),
                          **_errors()}}},
        "/v1/metric": {
            "post": {
                "summary": "Create a metric (its creator is the caller)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("NewMetric")}}},
                "responses": {"201": _json(_ref("Metric"), "Created"),
                              **_errors(400, 413, 415, 503)}},
            "get": {
                "summary": "List the metrics the caller may see",
                "parameters": [
                    _query("limit", {"type": "integer", "minimum": 1},
                           "page size"),
                    _query("marker", {"type": "string", "format": "uuid"},
                           "id of the last metric of the previous page"),
                    _query("sort", {"type": "string", "enum": [
                        f"{key}{direction}" for key in _SORT_KEYS
                        for direction in ("", ":asc", ":desc")]},
                           "attribute[:asc|:desc]")],
                "responses": {"200": _json({"type": "array",
                                            "items": _ref("Metric")}),
                              **_errors(400, 503)}}},
        "/v1/metric/{metric_id}": {
            "parameters": [_METRIC_ID],
            "get": {"summary": "Show a metric",
                    "responses": {"200": _json(_ref("Metric")),
                                  **_errors(404, 503)}},
            "delete": {"summary": "Delete a metric and its measures",
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(404, 503)}}},
        "/v1/metric/{metric_id}/measures": {
            "parameters": [_METRIC_ID],
            "post": {
                "summary": "Add measures (last write wins per timestamp)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("Measures")}}},
                "responses": {"202": {"description": "Stored"},
                              **_errors(400, 404, 413, 415, 503)}},
            "get": {
                "summary": "Read measures, optionally resampled, optionally "
                           "through a statistics plugin",
                "description": "Parameters other than those listed are "
                               "the statistic's own (see capabilities).",
                "parameters": [
                    _query("start", {"type": "string"}, "inclusive start"),
                    _query("stop", {"type": "string"}, "exclusive stop"),
                    _query("granularity", {"type": "number"},
                           "resampling period in seconds"),
                    _query("aggregation", {"type": "string"},
                           "mean (default), sum, min, max, count, std, "
                           "median, first, last or pNN"),
                    _query("stat", {"type": "string"},
                           "statistics plugin name")],
                "responses": {"200": _json(_ref("Series")),
                              **_errors(400, 404, 500, 503)}}},
        "/v1/batch/metrics/measures": {"post": {
            "summary": "Add measures to many metrics, all or nothing",
            "description": "A metric the caller may not see is reported "
                           "as unknown (400), and nothing is written.",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {
                    "type": "object",
                    "additionalProperties": _ref("Measures")}}}},
            "responses": {"202": {"description": "Stored"},
                          **_errors(400, 413, 415, 503)}}},
    },
    "components": {
        "securitySchemes": {"basic": {
            "type": "http", "scheme": "basic",
            "description": "auth_mode = basic: users of statsvc-manage"}},
        "schemas": {
            "Error": {"type": "object",
                      "required": ["code", "title", "description"],
                      "properties": {
                          "code": {"type": "integer"},
                          "title": {"type": "string"},
                          "description": {"type": "string"},
                          "parameter": {"type": "string",
                                        "description": "the offending "
                                                       "query parameter"},
                          "metric": {"type": "string"},
                          "statistic": {"type": "string",
                                        "description": "the failed plugin"}}},
            "NewMetric": {"type": "object", "additionalProperties": False,
                          "properties": {
                              "name": _string(255),
                              "unit": _string(31),
                              "archive_policy_name": _string(255),
                              "resource_id": _string(255)}},
            "Metric": {"type": "object", "required": ["id"],
                       "properties": {
                           "id": {"type": "string", "format": "uuid"},
                           "creator": {"type": "string", "nullable": True,
                                       "description": "user who created it"},
                           "name": _string(255),
                           "unit": _string(31),
                           "archive_policy_name": _string(255),
                           "resource_id": _string(255)}},
            "Measures": {"type": "array", "items": {
                "type": "object", "required": ["timestamp", "value"],
                "properties": {"timestamp": _TIMESTAMP,
                               "value": {"type": "number"}}}},
            "Series": {"type": "array", "items": {
                "type": "array", "minItems": 3, "maxItems": 3,
                "description": "[ISO 8601 timestamp, granularity in seconds "
                               "or null, value or null]"}},
            "Capabilities": {"type": "object", "required": ["statistics"],
                             "properties": {"statistics": {
                                 "type": "array",
                                 "items": {"type": "string"}}}},
            "Status": {"type": "object", "required": ["storage", "statistics"],
                       "properties": {
                           "storage": {"type": "object",
                                       "required": ["driver", "reachable"],
                                       "properties": {
                                           "driver": {"type": "string"},
                                           "reachable": {"type": "boolean"},
                                           "error": {"type": "string"}}},
                           "statistics": {"type": "object", "properties": {
                               "loaded": {"type": "array",
                                          "items": {"type": "string"}},
                               "failed": {"type": "object"},
                               "runtime_errors": {
                                   "type": "object",
                                   "description": "faults of loaded "
                                                  "plugins, counted by "
                                                  "the answering worker"}}}}},
        },
    },
}
