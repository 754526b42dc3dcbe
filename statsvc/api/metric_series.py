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
    """``[(granularity, ts, values)]`` of a policy's metric, coarsest first:
    the buckets of its archives starting in ``[start, stop)`` (``start``
    rounded down to the bucket), the ``points`` newest at most, as Gnocchi
    keeps them.

    A metric stored raw by an earlier version (no ``rollup`` in its dict)
    gets its archives first, from its raw points.
    """
    items = policy_items(metric, policy, granularity, method)
    if metric.get("rollup") is None:
        storage.set_rollup(metric["id"], archive_policy.rollup_spec(policy))
    stored = archive_policy.stored_method(method)
    result = []
    for item in sorted(items, key=lambda i: i["granularity"], reverse=True):
        grain = round(item["granularity"] * 1e9)
        lower = None if start is None else start - start % grain
        ts, values = storage.get_archive(metric["id"], grain, stored, lower,
                                         stop)
        result.append((item["granularity"], ts, values))
    return result
