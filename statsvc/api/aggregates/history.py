"""``use_history=true`` with ``groupby`` on the resource forms of
``POST /v1/aggregates``: groups of resource *revisions*, as Gnocchi
4.7.1's ``Grouper`` computes them (CloudKitty's rating by the attributes a
resource had at the time).

Each revision the search matches, of the resources the user may see (and
overlapping ``[start, stop)`` when both are given), is computed on its own
over its time window: a resource's first revision from ``start`` (or the
beginning), a later one from its ``revision_start``, each to its
``revision_end`` (or ``stop``).  Each value is scaled by the share of its
bucket the window covers, and a group's values at the same timestamp,
one after the other (a bucket cut by a revision), are summed.  The
operations must aggregate (Gnocchi fails with a 500 otherwise).

Unlike Gnocchi, revisions of different resources starting together are
all kept: Gnocchi merges group members with equal window starts, which
drops all but one resource's first revision from a group.
"""
import itertools

import numpy as np
import orjson

from statsvc.aggregates import grid
from statsvc.api import serialize, timestamps
from statsvc.api.aggregates import resources
from statsvc.api.errors import ApiError
from statsvc.api.resources import history
from statsvc.api.resources.access import candidates, may_see


def _ns(value):
    return None if value is None else timestamps.parse(value, "revision")


def revisions(request, resource_type, predicate, start, stop):
    """The revisions ``predicate`` matches of the resources of
    ``resource_type`` the user may see, overlapping ``[start, stop)``
    when both are given, each with its window ``(begin, end)`` in ns
    (None: open)."""
    name, user = resource_type["name"], request.user
    visible = [r for r in candidates(request, name)
               if name in ("generic", r["type"]) and may_see(user, r)]
    every, _ = history.all_revisions(request.storage, visible)
    every.sort(key=lambda r: (r["original_resource_id"],
                              _ns(r["revision_start"])))
    out, previous = [], None
    for revision in every:
        first = revision["id"] != previous
        previous = revision["id"]
        began, ended = _ns(revision["revision_start"]), \
            _ns(revision.get("revision_end"))
        if start is not None and stop is not None and not (
                began < stop and (ended is None or ended >= start)):
            continue
        if not predicate(revision):
            continue
        begin = start if first else (
            began if start is None else max(began, start))
        end = ended if stop is None else (
            stop if ended is None else min(ended, stop))
        out.append((revision, begin, end))
    return out


def _scaled(results, fill, begin, end):
    """``(ts, granularity, value)`` of an aggregated result, each value
    times the share of its bucket ``[begin, end)`` (ns) covers."""
    out = []
    for granularity, times, values in results:
        ts, column = grid.columns(times, values, fill)[0]
        step = round(granularity * 10 ** 9)  # s, as the results give it
        lo = ts if begin is None else np.maximum(ts, begin)
        hi = ts + step if end is None else np.minimum(ts + step, end)
        share = (hi - lo) / step
        out.extend(zip(ts.tolist(), itertools.repeat(granularity),
                       (column * share).tolist()))
    return out


def _summed(measures):
    """Consecutive values at one timestamp summed (Gnocchi's
    ``sum_groups_same_time_values``)."""
    out = []
    for ts, granularity, value in measures:
        if out and out[-1][0] == ts:
            out[-1] = (ts, granularity, out[-1][2] + value)
        else:
            out.append((ts, granularity, value))
    return out


def _json(measures):
    runs = [(g, np.array([m[0] for m in run], dtype=np.int64),
             np.array([m[2] for m in run]))
            for g, run in ((g, list(run)) for g, run in itertools.groupby(
                measures, lambda m: m[1]))]
    return orjson.Fragment(serialize.measures_groups(runs))


def answer(request, keys, body, options, compute):
    """The response body of a ``use_history`` query: ``[{"group",
    "measures"}]``; ``compute(references, start, stop)`` is the
    ``(aggregated, results)`` of the operations over a window."""
    groupby = options["groupby"]
    resource_type, predicate = resources.type_and_predicate(
        request, body, groupby)
    found = revisions(request, resource_type, predicate, options["start"],
                      options["stop"])
    found.sort(key=lambda f: [str(f[0].get(a) or "") for a in groupby])
    results = []
    for group, members in itertools.groupby(
            found, lambda f: tuple((a, f[0].get(a)) for a in groupby)):
        members = sorted(members, key=lambda f: (
            -np.inf if f[1] is None else f[1], f[0]["id"]))
        measures, used = [], []
        for revision, begin, end in members:
            try:
                refs = resources.references(request, [revision], keys)
            except resources.NoMetric:
                continue
            aggregated, computed = compute(refs, begin, end)
            if not aggregated:
                raise ApiError(400, "use_history needs operations that "
                                    "aggregate their metrics",
                               parameter="operations")
            measures.extend(_scaled(computed, options["fill"], begin, end))
            used.append(revision)
        measures = _summed(measures)
        if not measures:
            continue
        out = {"measures": {"aggregated": _json(measures)}}
        if options["details"]:
            out["references"] = used
        results.append({"group": dict(group), "measures": out})
    if not results:
        raise resources.not_found(keys)
    return results
