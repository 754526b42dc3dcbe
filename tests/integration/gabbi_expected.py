"""Tests of Gnocchi 4.7.1's gabbi files that statsvc fails on purpose,
each with the reason (README.rst's "Differences from Gnocchi").

``tests/integration/test_gnocchi_gabbits.py`` fails if one of these passes,
so that the list stays exact. None is known to fail on Gnocchi itself (its
CI runs the files with its own fixture; Gnocchi needs an SQL server, so it
was not run here the same way).
"""
AGGREGATES = ("/v1/aggregation and /v1/aggregates (cross-metric aggregation,"
              " operations) are not implemented")
RATE = "rate: aggregation methods are not implemented"
BEFORE_EPOCH = ("measures before 1970 are accepted and returned: Gnocchi "
                "refuses them (Timestamp must be after Epoch)")
OWN_METRICS = ("a user lists only the metrics they created: Gnocchi's basic "
               "mode lists everyone's")
RELATIVE = ('relative timestamps ("-5 minutes") are not accepted in '
            "measures")
JSON_TEXT = ('JSON is compact: the test matches Gnocchi\'s text '
             '(\'"name": "medium"\'), not its JSON')

LINKS = ("/v1 links only to what statsvc serves (no aggregation or "
         "aggregates yet), and not to influxdb")
WORDING = ("the error says the same in other words (Gnocchi's webob "
           "texts such as 'The resource could not be found.', "
           "'406 Not Acceptable', or its JSON decoder's message)")
ATTACH_BY_ID = ("a resource cannot take an existing metric by id (metric "
                "documents cannot be updated yet)")
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
        'policy rated': RATE,
    },
    'metric': {
        'push measurements to metric before epoch': BEFORE_EPOCH,
        'get measurements from metric and resample and negative': AGGREGATES,
        'get absolute measurements from metric': AGGREGATES,
        'rolling-mean': AGGREGATES,
        'get measurements from metric and two operations': AGGREGATES,
        'get measurements from metric and invalid operations': AGGREGATES,
        'get measure unknown aggregates': AGGREGATES,
        'aggregate measure unknown metric': AGGREGATES,
    },
    'metric-list': {
        'list metrics': OWN_METRICS,
    },
    'metric-timestamp-format': {
        'push measurements to metric with relative timestamp': RELATIVE,
    },
    'aggregation': {
        'get measure aggregates by granularity not float': AGGREGATES,
        'get measure aggregates with invalid uuids': AGGREGATES,
        'GET measure aggregates by granularity with refresh for metric 1 and 2': AGGREGATES,
        'GET measure aggregates by granularity with refresh for metric 3 and 4': AGGREGATES,
        'POST measure aggregates by granularity with refresh for metric 1 and 2': AGGREGATES,
        'get measure aggregates by granularity': AGGREGATES,
        'get measure aggregates by granularity with timestamps': AGGREGATES,
        'get measure aggregates with invalid aggregation method': AGGREGATES,
        'get measure aggregates and reaggregate': AGGREGATES,
        'get measure aggregates and resample': AGGREGATES,
        'get measure aggregates and operations': AGGREGATES,
        'get measure aggregates with fill zero': AGGREGATES,
        'get measure aggregates with fill null': AGGREGATES,
        'get measure aggregates with fill all granularities': AGGREGATES,
        'get measure aggregates difference with default fill': AGGREGATES,
        'get measure aggregates difference with fill "ffill"': AGGREGATES,
        'get measure aggregates difference with fill "bfill"': AGGREGATES,
        'get measure aggregates difference with fill "full_ffill"': AGGREGATES,
        'get measure aggregates difference with fill "full_bfill"': AGGREGATES,
        'get measure aggregates difference with default fill (one metric is emtpy)': AGGREGATES,
        'get measure aggregates difference with fill "ffill" (one metric is emtpy)': AGGREGATES,
        'get measure aggregates difference with fill "bfill" (one metric is emtpy)': AGGREGATES,
        'get measure aggregates difference with fill "full_ffill" (one metric is emtpy)': AGGREGATES,
        'get measure aggregates difference with fill "full_bfill" (one metric is emtpy)': AGGREGATES,
        'get measure aggregates with bad fill': AGGREGATES,
        'get measure aggregates non existing granularity': AGGREGATES,
        'get measure aggregates by granularity from resources with refresh': AGGREGATES,
        'get measure aggregates by granularity from resources': AGGREGATES,
        'get measure aggregates by granularity from aggregates API': AGGREGATES,
        'get measure aggregates by granularity from resources and resample': AGGREGATES,
        'get measure aggregates by granularity from aggregates API and resample': AGGREGATES,
        'get measure aggregates by granularity from resources and operations': AGGREGATES,
        'get measure aggregates by granularity from resources and bad resample': AGGREGATES,
        'get measure aggregates by granularity from resources and resample no granularity': AGGREGATES,
        'get measure aggregates by granularity with timestamps from resources': AGGREGATES,
        'get measure aggregates by granularity with timestamps from aggregates API': AGGREGATES,
        'get measure aggregates by granularity from resources and reaggregate': AGGREGATES,
        'get measure aggregates from resources with fill zero': AGGREGATES,
        'get measure aggregates from aggregates API with fill zero': AGGREGATES,
        'get measure aggregates with wrong GET': AGGREGATES,
        'get measure aggregates with wrong metric_name': AGGREGATES,
        'get measure aggregates with wrong resource': AGGREGATES,
        'get measure aggregates with no resource name': AGGREGATES,
        'get measure aggregates with None as min in clip operation': AGGREGATES,
        'get measure aggregates with None as max in clip operation': AGGREGATES,
    },
    'resource': {
        'root of v1': LINKS,
        'generic resource bad accept': WORDING,
        'patch generic with metrics': JSON_TEXT,
        'patch generic bad metric association': ATTACH_BY_ID,
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
    },
}
