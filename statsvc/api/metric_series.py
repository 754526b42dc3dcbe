"""Reading a metric's series as its archive policy defines it.

The one place where a query meets stored data: the measures GET, and
anything else that needs a metric's aggregates at a granularity (resource
metrics, cross-metric aggregates), reads through :func:`policy_series`.
"""
from statsvc import archive_policy
from statsvc.api.errors import ApiError


def policy_items(metric, policy, granularity, method):
    """The definition items a query of a policy's metric reads; 404s as
    Gnocchi's when the method or granularity is not in the policy."""
    if method not in policy["aggregation_methods"]:
        raise ApiError(404, {
            "cause": "Aggregation method does not exist for this metric",
            "detail": {"metric": metric["id"], "aggregation_method": method}},
            parameter="aggregation")
    if granularity is None:
        return policy["definition"]
    items = [item for item in policy["definition"]
             if round(item["granularity"] * 1e9) == round(granularity * 1e9)]
    if not items:
        raise ApiError(404, f"Aggregation method '{method}' at granularity "
                            f"'{float(granularity)!r}' for metric "
                            f"{metric['id']} does not exist",
                       parameter="granularity")
    return items


def policy_series(storage, metric, policy, granularity, method, start,
                   stop):
    """``[(granularity, ts, values)]`` of a policy's metric, coarsest first,
    computed from the stored points."""
    items = policy_items(metric, policy, granularity, method)
    read_start, read_stop = archive_policy.raw_range(items, start, stop)
    ts, values = storage.get_measures(metric["id"], read_start, read_stop)
    # The newest point anchors each granularity's window of points; without
    # a stop it is the last point read (or none is in range anyway).
    if read_stop is not None:
        newest = storage.newest_timestamp(metric["id"])
    else:
        newest = int(ts[-1]) if len(ts) else None
    return archive_policy.aggregates(ts, values, items, method, newest,
                                     start, stop)
