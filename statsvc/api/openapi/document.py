"""The OpenAPI 3 document of the v1 API, served at ``/v1/openapi.json``.

``tests/functional/test_openapi.py`` checks it against the routes the app
really serves.
"""
from statsvc.api.openapi import aggregates as openapi_aggregates
from statsvc.api.openapi import ingest as openapi_ingest
from statsvc.api.openapi import resources as openapi_resources
from statsvc.api.listing import FILTERS
from statsvc.api.openapi.parts import body as _body
from statsvc.api.openapi.parts import errors as _errors
from statsvc.api.openapi.parts import json as _json
from statsvc.api.openapi.parts import query as _query
from statsvc.api.openapi.parts import ref as _ref

_METRIC_ID = {"name": "metric_id", "in": "path", "required": True,
              "schema": {"type": "string", "format": "uuid"}}
_NAME = {"name": "name", "in": "path", "required": True,
         "schema": {"type": "string"}}
_DURATION = {"anyOf": [{"type": "string"}, {"type": "number"}],
             "description": "seconds, or a string such as \"1 minute\", "
                            "\"1h\", \"30 days\""}
_TIMESTAMP = {"anyOf": [{"type": "string"}, {"type": "number"}],
              "description": "ISO 8601 (naive is UTC) or epoch seconds"}
_SORT_KEYS = FILTERS
# The discovery documents need no credentials.
_PUBLIC = {"security": []}


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
            "summary": "Storage reachability and plugin health (admins)",
            "parameters": [_query("details", {"type": "boolean"},
                                  "include measures_to_process")],
            "responses": {"200": _json(_ref("Status")),
                          "503": _json(_ref("Status"),
                                       "Storage unreachable"),
                          **_errors(400, 403)}}},
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
                    *(_query(key, {"type": "string"},
                             f"only metrics whose {key} is this")
                      for key in _SORT_KEYS),
                    _query("limit", {"type": "integer", "minimum": 1},
                           "page size (at most [api] max_limit, the "
                           "default); a full page has a Link to the next"),
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
                "description": "Under an archive policy, every archive is "
                               "updated before the answer; points older "
                               "than the policy's back_window allows "
                               "(before the coarsest bucket of the newest "
                               "point, minus back_window such buckets) are "
                               "ignored, as in Gnocchi.",
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
                    _query("granularity", {"type": "string"},
                           "seconds or a duration: the policy's "
                           "granularity to read (404 if not in it; every "
                           "one, coarsest first, when omitted), or the "
                           "resampling period of a metric without policy"),
                    _query("aggregation", {"type": "string"},
                           "mean (default), sum, min, max, count, std, "
                           "median, first, last, pNN or NNpct; one of the "
                           "policy's methods (404 otherwise)"),
                    _query("resample", {"type": "string"},
                           "resample the series read to this period, or "
                           "to calendar years, half-years, quarters, "
                           "months or weeks (Y, H, Q, M, W; Sunday-based "
                           "weeks) (needs granularity)"),
                    _query("refresh", {"type": "string"},
                           "accepted for Gnocchi clients: measures are "
                           "always up to date"),
                    _query("stat", {"type": "string"},
                           "statistics plugin name, or a pipeline: names "
                           "separated by commas, each step's parameters "
                           "in parentheses, e.g. moving-average(window=10)"
                           ",zscore(window=5)")],
                "responses": {"200": _json(_ref("Series")),
                              **_errors(400, 404, 500, 503)}}},
        "/v1/archive_policy": {
            "get": {"summary": "List archive policies",
                    "responses": {"200": _json({
                        "type": "array", "items": _ref("ArchivePolicy")}),
                        **_errors(503)}},
            "post": {"summary": "Create an archive policy (admin)",
                     "requestBody": _body(_ref("NewArchivePolicy")),
                     "responses": {"201": _json(_ref("ArchivePolicy"),
                                                "Created"),
                                   **_errors(400, 403, 409, 413, 415, 503)}}},
        "/v1/archive_policy/{name}": {
            "parameters": [_NAME],
            "get": {"summary": "Show an archive policy",
                    "responses": {"200": _json(_ref("ArchivePolicy")),
                                  **_errors(404, 503)}},
            "patch": {
                "summary": "Change points/timespan of its granularities, "
                           "or its back_window (admin)",
                "requestBody": _body({
                    "type": "object", "required": ["definition"],
                    "properties": {
                        "definition": _ref("Definition"),
                        "back_window": {"type": "integer", "minimum": 0}}}),
                "responses": {"200": _json(_ref("ArchivePolicy")),
                              **_errors(400, 403, 404, 413, 415, 503)}},
            "delete": {"summary": "Delete an archive policy no metric or "
                                  "rule uses (admin)",
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(400, 403, 404, 503)}}},
        "/v1/archive_policy_rule": {
            "get": {"summary": "List archive policy rules, in the order "
                               "they are tried",
                    "responses": {"200": _json({
                        "type": "array",
                        "items": _ref("ArchivePolicyRule")}),
                        **_errors(503)}},
            "post": {"summary": "Create a rule (admin): a metric created "
                                "without policy whose name matches "
                                "metric_pattern gets archive_policy_name",
                     "requestBody": _body(_ref("ArchivePolicyRule")),
                     "responses": {"201": _json(_ref("ArchivePolicyRule"),
                                                "Created"),
                                   **_errors(400, 403, 409, 413, 415, 503)}}},
        "/v1/archive_policy_rule/{name}": {
            "parameters": [_NAME],
            "get": {"summary": "Show an archive policy rule",
                    "responses": {"200": _json(_ref("ArchivePolicyRule")),
                                  **_errors(404, 503)}},
            "patch": {"summary": "Rename an archive policy rule (admin)",
                      "requestBody": _body({
                          "type": "object", "required": ["name"],
                          "additionalProperties": False,
                          "properties": {"name": {
                              "type": "string", "minLength": 1,
                              "maxLength": 255}}}),
                      "responses": {"200": _json(_ref("ArchivePolicyRule")),
                                    **_errors(400, 403, 404, 413, 415,
                                              503)}},
            "delete": {"summary": "Delete an archive policy rule (admin)",
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(403, 404, 503)}}},
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
                          "description": {"anyOf": [
                              {"type": "string"},
                              {"type": "object", "required": ["cause"],
                               "description": "Gnocchi's structured "
                                              "errors: cause, reason "
                                              "and detail (where)"}]},
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
                           "resource_id": _string(255),
                           "archive_policy": _ref("ArchivePolicy"),
                           "created_by_user_id": {"type": "string",
                                                  "nullable": True},
                           "created_by_project_id": {"type": "string",
                                                     "nullable": True}}},
            "Definition": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False,
                "description": "two of granularity, points and timespan "
                               "(granularity alone keeps every point)",
                "properties": {
                    "granularity": _DURATION,
                    "points": {"anyOf": [{"type": "integer", "minimum": 1},
                                         {"type": "string"}]},
                    "timespan": _DURATION}}},
            "NewArchivePolicy": {
                "type": "object", "required": ["name", "definition"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1,
                             "maxLength": 255},
                    "back_window": {"type": "integer", "minimum": 0},
                    "aggregation_methods": {
                        "type": "array", "items": {"type": "string"},
                        "description": "methods, \"*\" for all; only "
                                       "+m/-m entries amend the default"},
                    "definition": _ref("Definition")}},
            "ArchivePolicy": {
                "type": "object",
                "required": ["name", "back_window", "definition",
                             "aggregation_methods"],
                "properties": {
                    "name": {"type": "string", "nullable": True},
                    "back_window": {"type": "integer"},
                    "aggregation_methods": {"type": "array",
                                            "items": {"type": "string"}},
                    "definition": {"type": "array", "items": {
                        "type": "object", "properties": {
                            "granularity": {"type": "string"},
                            "points": {"type": "integer",
                                       "nullable": True},
                            "timespan": {"type": "string",
                                         "nullable": True}}}}}},
            "ArchivePolicyRule": {
                "type": "object", "additionalProperties": False,
                "required": ["name", "metric_pattern", "archive_policy_name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1,
                             "maxLength": 255},
                    "metric_pattern": {"type": "string",
                                       "description": "fnmatch pattern"},
                    "archive_policy_name": {"type": "string"}}},
            "Measures": {"type": "array", "items": {
                "type": "object", "required": ["timestamp", "value"],
                "properties": {"timestamp": _TIMESTAMP,
                               "value": {"type": "number"}}}},
            "Series": {"type": "array", "items": {
                "type": "array", "minItems": 3, "maxItems": 3,
                "description": "[ISO 8601 timestamp, granularity in seconds "
                               "or null, value or null]"}},
            "Capabilities": {"type": "object",
                             "required": ["aggregation_methods",
                                          "statistics"],
                             "properties": {
                                 "aggregation_methods": {
                                     "type": "array",
                                     "items": {"type": "string"}},
                                 "statistics": {
                                     "type": "array",
                                     "items": {"type": "string"}},
                                 "aggregates": {
                                     "type": "object",
                                     "description": "POST /v1/aggregates: "
                                     "operations, reductions of aggregate/"
                                     "rolling/resample, statistics of "
                                     "stat"}}},
            "Status": {"type": "object",
                       "required": ["storage", "metricd", "backend",
                                    "statistics"],
                       "properties": {
                           "storage": {"type": "object",
                                       "description": "Gnocchi's backlog: "
                                                      "always 0"},
                           "metricd": {"type": "object",
                                       "description": "Gnocchi's processors:"
                                                      " none"},
                           "backend": {"type": "object",
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

DOCUMENT["paths"].update(openapi_resources.paths(
    DOCUMENT["paths"]["/v1/metric/{metric_id}/measures"]))
DOCUMENT["components"]["schemas"].update(openapi_resources.SCHEMAS)
DOCUMENT["paths"].update(openapi_aggregates.PATHS)
DOCUMENT["components"]["schemas"].update(openapi_aggregates.SCHEMAS)
DOCUMENT["paths"].update(openapi_ingest.paths())
