"""The OpenAPI paths and schemas of resource types and resources, merged
into :data:`statsvc.api.openapi.document.DOCUMENT`."""
from statsvc.api.openapi import parts

_TYPE = {"name": "resource_type", "in": "path", "required": True,
         "schema": {"type": "string"}}
_TYPE_NAME = dict(_TYPE, name="name")
_RESOURCE_ID = {"name": "resource_id", "in": "path", "required": True,
                "schema": {"type": "string"},
                "description": "a UUID, or any other string, mapped to a "
                               "UUID as Gnocchi maps it"}
_METRIC_NAME = {"name": "name", "in": "path", "required": True,
                "schema": {"type": "string"}}
_PAGING = [parts.query("limit", {"type": "integer", "minimum": 1},
                       "page size"),
           parts.query("marker", {"type": "string"},
                       "id of the last resource of the previous page"),
           parts.query("sort", {"type": "string"},
                       "attribute[:asc|:desc], repeatable"),
           parts.query("attrs", {"type": "string"},
                       "attributes to show, repeatable (id always)")]
_RESOURCE = parts.ref("Resource")
_METRICS = parts.json({"type": "array", "items": parts.ref("Metric")})


def _measures(metric_measures):
    """The measures operations of a metric, for a metric by name."""
    return {"parameters": [_TYPE, _RESOURCE_ID, _METRIC_NAME],
            **{method: operation for method, operation
               in metric_measures.items() if method != "parameters"}}


def paths(metric_measures):
    """The paths, given ``/v1/metric/{metric_id}/measures``'s item."""
    return {
        "/v1/resource_type": {
            "get": {"summary": "List resource types (generic first)",
                    "responses": {"200": parts.json({
                        "type": "array", "items": parts.ref("ResourceType")}),
                        **parts.errors(503)}},
            "post": {"summary": "Create a resource type (admin)",
                     "requestBody": parts.body(parts.ref("NewResourceType")),
                     "responses": {"201": parts.json(
                         parts.ref("ResourceType"), "Created"),
                         **parts.errors(400, 403, 409, 413, 415, 503)}}},
        "/v1/resource_type/{name}": {
            "parameters": [_TYPE_NAME],
            "get": {"summary": "Show a resource type",
                    "responses": {"200": parts.json(
                        parts.ref("ResourceType")),
                        **parts.errors(404, 503)}},
            "patch": {"summary": "Add or remove attributes (admin), with a "
                               "JSON Patch; resources take options.fill",
                      "requestBody": {"required": True, "content": {
                          "application/json-patch+json": {"schema": {
                              "type": "array", "items": {
                                  "type": "object", "required": ["op", "path"],
                                  "properties": {
                                      "op": {"type": "string",
                                             "enum": ["add", "remove"]},
                                      "path": {"type": "string"},
                                      "value": _ATTRIBUTE}}}}}},
                      "responses": {"200": parts.json(
                          parts.ref("ResourceType")),
                          **parts.errors(400, 403, 404, 413, 415, 503)}},
            "delete": {"summary": "Delete an unused resource type (admin)",
                       "responses": {"204": {"description": "Deleted"},
                                     **parts.errors(400, 403, 404, 503)}}},
        "/v1/resource": {"get": {
            "summary": "A link to the resources of each type",
            "responses": {"200": parts.json({"type": "object"}),
                          **parts.errors(503)}}},
        "/v1/resource/{resource_type}": {
            "parameters": [_TYPE],
            "get": {"summary": "List the resources of a type",
                    "parameters": [*_PAGING, parts.query(
                        "history", {"type": "string"},
                        "true: every revision of each resource")],
                    "responses": {"200": parts.json({
                        "type": "array", "items": _RESOURCE}),
                        **parts.errors(400, 404, 503)}},
            "delete": {"summary": "Delete the resources a query selects",
                       "description": "The query as in a search; never "
                                      "empty.",
                       "parameters": [parts.query(
                           "filter", {"type": "string"}, "filter string")],
                       "requestBody": {"required": False, "content": {
                           "application/json": {"schema": {
                               "type": "object"}}}},
                       "responses": {"200": parts.json({
                           "type": "object", "properties": {
                               "deleted": {"type": "integer"}}}),
                           **parts.errors(400, 404, 413, 415, 503)}},
            "post": {"summary": "Create a resource, and its metrics",
                     "requestBody": parts.body(parts.ref("NewResource")),
                     "responses": {"201": parts.json(_RESOURCE, "Created"),
                                   **parts.errors(400, 404, 409, 413, 415,
                                                  503)}}},
        "/v1/resource/{resource_type}/{resource_id}": {
            "parameters": [_TYPE, _RESOURCE_ID],
            "get": {"summary": "Show a resource",
                    "responses": {"200": parts.json(_RESOURCE),
                                  **parts.errors(404, 503)}},
            "patch": {"summary": "Change a resource's attributes; metrics "
                                 "replaces its map",
                      "requestBody": parts.body({"type": "object"}),
                      "responses": {"200": parts.json(_RESOURCE),
                                    **parts.errors(400, 404, 409, 413, 415,
                                                   503)}},
            "delete": {"summary": "Delete a resource and its metrics",
                       "responses": {"204": {"description": "Deleted"},
                                     **parts.errors(404, 503)}}},
        "/v1/resource/{resource_type}/{resource_id}/history": {
            "parameters": [_TYPE, _RESOURCE_ID],
            "get": {"summary": "Every revision of a resource, oldest first",
                    "parameters": _PAGING,
                    "responses": {"200": parts.json({
                        "type": "array", "items": _RESOURCE}),
                        **parts.errors(400, 404, 503)}}},
        "/v1/resource/{resource_type}/{resource_id}/metric": {
            "parameters": [_TYPE, _RESOURCE_ID],
            "get": {"summary": "The resource's metrics",
                    "responses": {"200": _METRICS,
                                  **parts.errors(404, 503)}},
            "post": {"summary": "Create metrics named on the resource",
                     "requestBody": parts.body({
                         "type": "object",
                         "additionalProperties": parts.ref("NewMetric")}),
                     "responses": {"200": _METRICS,
                                   **parts.errors(400, 404, 409, 413, 415,
                                                  503)}}},
        "/v1/resource/{resource_type}/{resource_id}/metric/{name}": {
            "parameters": [_TYPE, _RESOURCE_ID, _METRIC_NAME],
            "get": {"summary": "Show a metric by its name",
                    "responses": {"200": parts.json(parts.ref("Metric")),
                                  **parts.errors(404, 503)}},
            "delete": {"summary": "Delete a metric by its name",
                       "responses": {"204": {"description": "Deleted"},
                                     **parts.errors(404, 503)}}},
        "/v1/resource/{resource_type}/{resource_id}/metric/{name}/measures":
            _measures(metric_measures),
        "/v1/search/resource/{resource_type}": {
            "parameters": [_TYPE],
            "post": {"summary": "Resources a query selects",
                     "description": "The query is the JSON body ({} or "
                                    "none: every resource) or the filter "
                                    "string, Gnocchi's two forms.",
                     "parameters": [*_PAGING, parts.query(
                         "filter", {"type": "string"},
                         "e.g. host='a' and started_at>='2024-01-01'")],
                     "requestBody": {"required": False, "content": {
                         "application/json": {"schema": {
                             "type": "object"}}}},
                     "responses": {"200": parts.json({
                         "type": "array", "items": _RESOURCE}),
                         **parts.errors(400, 404, 413, 415, 503)}}},
        "/v1/search/metric": {"post": {
            "summary": "Points of metrics whose values match a query, e.g. "
                       "{\"and\": [{\">=\": [{\"+\": 23}, 50]}, "
                       "{\"!=\": 55}]}",
            "parameters": [
                parts.query("metric_id", {"type": "string", "format": "uuid"},
                            "a metric to search (repeat for more); missing "
                            "and other users' metrics are left out",
                            required=True),
                parts.query("granularity", {"type": "string"},
                            "an archive to search (repeat for more); all "
                            "of the policy's by default"),
                parts.query("aggregation", {"type": "string"},
                            "the aggregation method (mean)"),
                parts.query("start", {"type": "string"}, "ISO 8601 or "
                            "epoch seconds"),
                parts.query("stop", {"type": "string"}, "ISO 8601 or "
                            "epoch seconds")],
            "requestBody": parts.body({"type": "object"}),
            "responses": {"200": parts.json({
                "type": "object", "additionalProperties": {
                    "type": "array", "items": {"type": "array"}}}),
                **parts.errors(400, 413, 415, 503)}}},
        "/v1/batch/resources/metrics/measures": {"post": {
            "summary": "Add measures to metrics by resource and name, all "
                       "or nothing (Ceilometer's publisher)",
            "parameters": [parts.query(
                "create_metrics", {"type": "string"},
                "true: create missing metrics through the archive policy "
                "rules")],
            "requestBody": parts.body({"type": "object",
                                       "additionalProperties": {
                                           "type": "object"}}),
            "responses": {"202": {"description": "Stored"},
                          **parts.errors(400, 413, 415, 503)}}},
    }


_ATTRIBUTE = {"type": "object", "required": ["type"], "properties": {
    "type": {"type": "string",
             "enum": ["string", "uuid", "number", "bool", "datetime"]},
    "required": {"type": "boolean"},
    "min_length": {"type": "integer"}, "max_length": {"type": "integer"},
    "min": {"type": "number", "nullable": True},
    "max": {"type": "number", "nullable": True}}}

SCHEMAS = {
    "NewResourceType": {"type": "object", "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "attributes": {"type": "object",
                                           "additionalProperties": _ATTRIBUTE}}},
    "ResourceType": {"type": "object", "properties": {
        "name": {"type": "string"}, "state": {"type": "string"},
        "attributes": {"type": "object", "additionalProperties": _ATTRIBUTE}}},
    "NewResource": {"type": "object", "required": ["id"],
                    "description": "and the type's attributes",
                    "properties": {
                        "id": {"type": "string"},
                        "user_id": {"type": "string", "nullable": True},
                        "project_id": {"type": "string", "nullable": True},
                        "started_at": {"type": "string"},
                        "ended_at": {"type": "string", "nullable": True},
                        "metrics": {"type": "object",
                                    "additionalProperties": parts.ref(
                                        "NewMetric")}}},
    "Resource": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "original_resource_id": {"type": "string"},
        "type": {"type": "string"}, "creator": {"type": "string"},
        "metrics": {"type": "object",
                    "additionalProperties": {"type": "string"}}}},
}
