"""The OpenAPI 3 document of the v1 API, served at ``/v1/openapi.json``.

``tests/functional/test_openapi.py`` checks it against the routes the app
really serves.
"""

_ERROR = {"description": "Error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}
_METRIC_ID = {"name": "metric_id", "in": "path", "required": True,
              "schema": {"type": "string", "format": "uuid"}}
_TIMESTAMP = {"oneOf": [{"type": "string"}, {"type": "number"}],
              "description": "ISO 8601 (naive is UTC) or epoch seconds"}


def _json(schema, description="OK"):
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _errors(*codes):
    return {str(code): _ERROR for code in codes}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "statsvc", "version": "1.0",
             "description": "Gnocchi-style metrics, measures and "
                            "statistics plugins."},
    "paths": {
        "/": {"get": {"summary": "API versions",
                      "responses": {"200": _json({"type": "object"})}}},
        "/v1": {"get": {"summary": "Links to the v1 resources",
                        "responses": {"200": _json({"type": "object"})}}},
        "/v1/openapi.json": {"get": {
            "summary": "This document",
            "responses": {"200": _json({"type": "object"})}}},
        "/v1/capabilities": {"get": {
            "summary": "Statistics, aggregation methods and storage driver",
            "responses": {"200": _json(_ref("Capabilities"))}}},
        "/v1/status": {"get": {
            "summary": "Storage reachability and plugin health",
            "responses": {"200": _json({"type": "object"}),
                          "503": _json({"type": "object"},
                                       "Storage unreachable")}}},
        "/v1/metric": {
            "post": {
                "summary": "Create a metric",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("NewMetric")}}},
                "responses": {"201": _json(_ref("Metric"), "Created"),
                              **_errors(400, 413, 415)}},
            "get": {
                "summary": "List metrics",
                "parameters": [
                    _query("limit", {"type": "integer", "minimum": 1},
                           "page size"),
                    _query("marker", {"type": "string"},
                           "id of the last metric of the previous page"),
                    _query("sort", {"type": "string",
                                    "pattern": r"^[a-z_]+(:(asc|desc))?$"},
                           "attribute[:asc|:desc]")],
                "responses": {"200": _json({"type": "array",
                                            "items": _ref("Metric")}),
                              **_errors(400)}}},
        "/v1/metric/{metric_id}": {
            "parameters": [_METRIC_ID],
            "get": {"summary": "Show a metric",
                    "responses": {"200": _json(_ref("Metric")),
                                  **_errors(404)}},
            "delete": {"summary": "Delete a metric and its measures",
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(404)}}},
        "/v1/metric/{metric_id}/measures": {
            "parameters": [_METRIC_ID],
            "post": {
                "summary": "Add measures (last write wins per timestamp)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("Measures")}}},
                "responses": {"202": {"description": "Stored"},
                              **_errors(400, 404, 413, 415)}},
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
                              **_errors(400, 404, 500)}}},
        "/v1/batch/metrics/measures": {"post": {
            "summary": "Add measures to many metrics, all or nothing",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {
                    "type": "object",
                    "additionalProperties": _ref("Measures")}}}},
            "responses": {"202": {"description": "Stored"},
                          **_errors(400, 413, 415)}}},
    },
    "components": {"schemas": {
        "Error": {"type": "object", "required": ["code", "title",
                                                 "description"],
                  "properties": {"code": {"type": "integer"},
                                 "title": {"type": "string"},
                                 "description": {"type": "string"}}},
        "NewMetric": {"type": "object", "additionalProperties": False,
                      "properties": {
                          "name": {"type": "string", "nullable": True},
                          "unit": {"type": "string", "nullable": True,
                                   "maxLength": 31},
                          "archive_policy_name": {"type": "string",
                                                  "nullable": True},
                          "resource_id": {"type": "string",
                                          "nullable": True}}},
        "Metric": {"type": "object", "required": ["id"],
                   "properties": {"id": {"type": "string", "format": "uuid"},
                                  "name": {"type": "string",
                                           "nullable": True},
                                  "unit": {"type": "string",
                                           "nullable": True}}},
        "Measures": {"type": "array", "items": {
            "type": "object", "required": ["timestamp", "value"],
            "properties": {"timestamp": _TIMESTAMP,
                           "value": {"type": "number"}}}},
        "Series": {"type": "array", "items": {
            "type": "array", "minItems": 3, "maxItems": 3,
            "description": "[ISO 8601 timestamp, granularity in seconds or "
                           "null, value or null]"}},
        "Capabilities": {"type": "object", "required": ["statistics"],
                         "properties": {"statistics": {
                             "type": "array", "items": {"type": "string"}}}},
    }},
}
