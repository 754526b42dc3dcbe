"""The OpenAPI paths and schemas of ``POST /v1/aggregates`` and of the older
``/v1/aggregation``, merged into
:data:`statsvc.api.openapi.document.DOCUMENT`."""
from statsvc.api.openapi import parts

_OPERATIONS = {
    "description": "Gnocchi's operations: a string such as \"(aggregate "
                   "mean (metric (ID1 mean) (ID2 mean)))\" or the same as "
                   "nested JSON lists; (stat NAME OPERATION key=value ...) "
                   "runs a statistics plugin. See capabilities.aggregates.",
    "anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}]}

#: What both APIs take to choose the points: the same words in both.
_RANGE = [
    parts.query("start", {"type": "string"}, "inclusive start"),
    parts.query("stop", {"type": "string"}, "exclusive stop"),
    parts.query("granularity", {"type": "string"},
                "the granularity to compute (default: every one the "
                "metrics share)"),
    parts.query("needed_overlap", {"type": "number"},
                "percent of timestamps every series must have (default "
                "100; only without fill)")]

PATHS = {
    "/v1/aggregates": {"post": {
        "summary": "Compute operations across metrics (Gnocchi's "
                   "aggregates API)",
        "parameters": [
            *_RANGE,
            parts.query("fill", {"type": "string"},
                        "a number, null, dropna (the default without "
                        "needed_overlap), ffill, bfill, full_ffill or "
                        "full_bfill"),
            parts.query("details", {"type": "boolean"},
                        "add the metrics (or resources) as references"),
            parts.query("groupby", {"type": "string"},
                        "resource attribute to group by (with "
                        "resource_type), repeatable"),
            parts.query("use_history", {"type": "boolean"},
                        "with groupby: group resource revisions, each "
                        "over its own time window")],
        "requestBody": parts.body(parts.ref("AggregatesQuery")),
        "responses": {"200": parts.json({"anyOf": [
            parts.ref("Aggregates"),
            {"type": "array", "items": {
                "type": "object", "required": ["group", "measures"],
                "properties": {"group": {"type": "object"},
                               "measures": parts.ref("Aggregates")}}}]}),
            **parts.errors(400, 404, 413, 415, 500, 503)}}},
}

_LEGACY_PARAMETERS = [
    *_RANGE,
    parts.query("aggregation", {"type": "string"},
                "the metrics' aggregation method (default mean)"),
    parts.query("reaggregation", {"type": "string"},
                "how the metrics' values are merged (default: aggregation)"),
    parts.query("resample", {"type": "string"},
                "resample to this granularity first (needs granularity)"),
    parts.query("fill", {"type": "string"},
                "a number, null, dropna, ffill, bfill, full_ffill or "
                "full_bfill (default: none)"),
    parts.query("refresh", {"type": "boolean"},
                "accepted; every point is queryable at once here")]
_TRIPLES = {"type": "array", "items": {"type": "array"},
            "description": "[timestamp, granularity, value] rows"}

PATHS.update({
    "/v1/aggregation/metric": {
        "parameters": _LEGACY_PARAMETERS,
        "get": {
            "summary": "Aggregate metrics by id (Gnocchi's older API)",
            "parameters": [parts.query("metric", {"type": "string"},
                                       "a metric id, repeatable")],
            "responses": {"200": parts.json(_TRIPLES),
                          **parts.errors(400, 404, 500, 503)}},
        "post": {
            "summary": "Aggregate the metrics whose ids the body lists "
                       "(Gnocchi's older API)",
            "requestBody": parts.body({"type": "array",
                                       "items": {"type": "string"}}),
            "responses": {"200": parts.json(_TRIPLES),
                          **parts.errors(400, 404, 413, 415, 500, 503)}}},
    "/v1/aggregation/resource/{resource_type}/metric/{metric_name}": {
        "parameters": [
            *_LEGACY_PARAMETERS,
            parts.path("resource_type"), parts.path("metric_name"),
            parts.query("groupby", {"type": "string"},
                        "resource attribute to group by, repeatable"),
            parts.query("filter", {"type": "string"},
                        "a filter string selecting the resources")],
        "post": {
            "summary": "Aggregate the metric of that name of the resources "
                       "a search selects (Gnocchi's older API)",
            "requestBody": {"required": False, "content": {
                "application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": parts.json({"anyOf": [_TRIPLES, {
                "type": "array", "items": {
                    "type": "object", "required": ["group", "measures"],
                    "properties": {"group": {"type": "object"},
                                   "measures": _TRIPLES}}}]}),
                **parts.errors(400, 404, 413, 415, 500, 503)}}},
})

SCHEMAS = {
    "AggregatesQuery": {
        "type": "object", "required": ["operations"],
        "additionalProperties": False,
        "properties": {
            "operations": _OPERATIONS,
            "resource_type": {"type": "string",
                              "description": "metrics are named by name "
                                             "(fnmatch) in the resources of "
                                             "this type that search selects"},
            "search": {"anyOf": [{"type": "object"}, {"type": "string"}]}}},
    "Aggregates": {
        "type": "object", "required": ["measures"],
        "properties": {
            "measures": {
                "type": "object",
                "description": "{\"aggregated\": series} when the "
                               "operations merge the series, else series "
                               "by metric (or resource and metric name) "
                               "and aggregation"},
            "references": {"type": "array", "items": {"type": "object"}}}},
}
