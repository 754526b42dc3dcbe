"""Tests of Gnocchi 4.7.1's gabbi files that statsvc fails on purpose,
each with the reason (README.rst's "Differences from Gnocchi").

``tests/integration/test_gnocchi_gabbits.py`` fails if one of these passes,
so that the list stays exact. None is known to fail on Gnocchi itself (its
CI runs the files with its own fixture; Gnocchi needs an SQL server, so it
was not run here the same way).
"""
RESOURCES = ("Gnocchi's resources, resource types and search are not "
             "implemented")
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

EXPECTED_FAILURES = {
    "archive": {
        'get archive policy list': JSON_TEXT,
        'policy rated': RATE,
    },
    "base": {
        'Get list of resource type and URL': RESOURCES,
        'post generic resource': RESOURCES,
        'post generic resource bad id': RESOURCES,
    },
    "metric": {
        'push measurements to metric before epoch': BEFORE_EPOCH,
        'get measurements from metric and resample and negative': AGGREGATES,
        'get absolute measurements from metric': AGGREGATES,
        'rolling-mean': AGGREGATES,
        'get measurements from metric and two operations': AGGREGATES,
        'get measurements from metric and invalid operations': AGGREGATES,
        'get measure unknown aggregates': AGGREGATES,
        'aggregate measure unknown metric': AGGREGATES,
    },
    "metric-list": {
        'list metrics': OWN_METRICS,
    },
    "metric-timestamp-format": {
        'push measurements to metric with relative timestamp': RELATIVE,
    },
    "batch-measures": {
        'push measurements to unknown named metrics': RESOURCES,
        'post a resource': RESOURCES,
        'post a second resource': RESOURCES,
        'push measurements to two named metrics': RESOURCES,
        'push measurements to unknown named metrics and create it': RESOURCES,
        'push measurements to unknown named metrics and create it with new format': RESOURCES,
        'get created metric to check creation': RESOURCES,
        'ensure measure have been posted': RESOURCES,
        'get created metric to check creation with newformat': RESOURCES,
        'get created metric to check creation with newformat2': RESOURCES,
        'ensure measure have been posted with newformat': RESOURCES,
        'ensure measure have been posted with newformat2': RESOURCES,
        'push measurements to unknown named metrics and resource with create_metrics with uuid resource id': RESOURCES,
        'push measurements to unknown named metrics and resource with create_metrics with uuid resource id where resources is several times listed': RESOURCES,
        'push measurements to unknown named metrics and resource with create_metrics with non uuid resource id': RESOURCES,
        'push measurements to named metrics and resource with create_metrics with wrong measure objects': RESOURCES,
    },
    "aggregation": {
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
        'post a resource': RESOURCES,
        'post another resource': RESOURCES,
        'push measurements to resource 1': RESOURCES,
        'push measurements to resource 2': RESOURCES,
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
    "pagination": {
        'post resource 1': RESOURCES,
        'post resource 2': RESOURCES,
        'post resource 3': RESOURCES,
        'post resource 4': RESOURCES,
        'post resource 5': RESOURCES,
        'list first two items default order': RESOURCES,
        'list next third items default order': RESOURCES,
        'list first two items order by id witouth direction': RESOURCES,
        'list first two items order by id': RESOURCES,
        'list next third items order by id': RESOURCES,
        'search for some resources with limit, order and marker': RESOURCES,
        'invalid sort_key': RESOURCES,
        'invalid sort_dir': RESOURCES,
        'invalid marker': RESOURCES,
        'invalid negative limit': RESOURCES,
        'invalid limit': RESOURCES,
        'post resource 6': RESOURCES,
        'post resource 7': RESOURCES,
        'post resource 8': RESOURCES,
        'default limit': RESOURCES,
        'update resource 5': RESOURCES,
        'update resource 5 again': RESOURCES,
        'default limit with history and multiple sort key': RESOURCES,
        'limit with history and links page 1': RESOURCES,
        'limit with history and links page 2': RESOURCES,
        'limit with history and links page 3 with no limit': RESOURCES,
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
