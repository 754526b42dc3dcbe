"""Tests of Gnocchi 4.7.1's gabbi files that statsvc fails on purpose,
each with the reason (README.rst's "Differences from Gnocchi").

``tests/integration/test_gnocchi_gabbits.py`` fails if one of these passes,
so that the list stays exact. None is known to fail on Gnocchi itself (its
CI runs the files with its own fixture; Gnocchi needs an SQL server, so it
was not run here the same way).
"""
STRICT_JSON = ("NaN and infinities are JSON null: statsvc writes strict "
               "JSON, Gnocchi writes NaN and Infinity literals")
GROUPBY_WORDING = ("an unknown groupby attribute is a 400 that names it, "
                   "not Gnocchi's 'Invalid pagination' text")
BEFORE_EPOCH = ("measures before 1970 are accepted and returned: Gnocchi "
                "refuses them (Timestamp must be after Epoch)")
OWN_METRICS = ("a user lists only the metrics they created: Gnocchi's basic "
               "mode lists everyone's")
RELATIVE = ('relative timestamps ("-5 minutes") are not accepted in '
            "measures")
JSON_TEXT = ('JSON is compact: the test matches Gnocchi\'s text '
             '(\'"name": "medium"\'), not its JSON')

WORDING = ("the error says the same in other words (Gnocchi's webob "
           "texts such as 'The resource could not be found.', "
           "'406 Not Acceptable', or its JSON decoder's message)")
SEARCH_GET = "GET on a search URL answers 405, not 404"
FILTER_EQ = ("'==' works in filter strings; Gnocchi's grammar matches '=' "
             "first and fails on it")
QUERY_400 = ("an InfluxQL query other than CREATE DATABASE is a 400: a 501 "
             "is a server error to clients and fuzzers")
PROM_204 = ("remote_write answers 204 (Gnocchi 202): what Prometheus' own "
            "receivers answer")
PROM_LABELS = ("a Prometheus metric is named by __name__ and its labels "
               "(Gnocchi: __name__ alone, so label sets overwrite each other)")

EXPECTED_FAILURES = {
    'archive': {
        'get archive policy list': JSON_TEXT,
    },
    'metric': {
        'push measurements to metric before epoch': BEFORE_EPOCH,
    },
    'metric-list': {
        'list metrics': OWN_METRICS,
    },
    'metric-timestamp-format': {
        'push measurements to metric with relative timestamp': RELATIVE,
    },
    'aggregates-with-metric-ids': {
        'no overlap null': STRICT_JSON,
    },
    'aggregates-with-resources': {
        'aggregate and return infinity from divide by zero': STRICT_JSON,
        'invalid groupby attribute': GROUPBY_WORDING,
    },
    'resource-aggregation': {
    },
    'resource': {
        'generic resource bad accept': WORDING,
        'patch generic with metrics': JSON_TEXT,
        'patch resource no data': WORDING,
        'get noexist resource': WORDING,
        'get bad resource id': WORDING,
        'list all resources': JSON_TEXT,
    },
    'search': {
        'typo of search in resource': SEARCH_GET,
        'search invalid query string': FILTER_EQ,
    },
    'influxdb': {
        'do an unrecognized query': QUERY_400,
    },
    'prometheus': {
        'post some measures': PROM_204,
        'post some measures second': PROM_204,
        'post some measures third': PROM_204,
        'ensure one resource have all metrics created': PROM_LABELS,
        'check metrics': PROM_LABELS,
    },
}

# Tests that read the first metric of a listing ("$[0]", in random UUID
# order) and fail only when it is the one holding the 1915 measure statsvc
# accepted (BEFORE_EPOCH); they may pass or fail.
MAY_FAIL = {
    "metric": {
        "get measurements from metric": BEFORE_EPOCH,
        "get measurements from metric and resample": BEFORE_EPOCH,
        "get measurements from metric and resample and negative":
            BEFORE_EPOCH,
        "get absolute measurements from metric": BEFORE_EPOCH,
        "rolling-mean": BEFORE_EPOCH,
        "get measurements from metric and two operations": BEFORE_EPOCH,
    },
}
