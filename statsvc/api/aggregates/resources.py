"""The resource forms of ``POST /v1/aggregates``: ``resource_type`` and
``search`` select resources, the expression names their metrics by name
(fnmatch patterns), and ``groupby`` computes once per group of resources,
as Gnocchi does."""
import fnmatch
import itertools

from statsvc.api import access, policies
from statsvc.api.aggregates.series import Reference
from statsvc.api.controllers.resource_type import get_type
from statsvc.api.errors import ApiError
from statsvc.api.resources.access import candidates, may_see
from statsvc.api.resources.query import predicate_for
from statsvc.storage import MetricNotFound

# Attributes every resource has, which groupby may name.
_COMMON = ("id", "original_resource_id", "type", "creator", "user_id",
           "project_id", "started_at", "ended_at", "revision_start",
           "revision_end")


class NoMetric(Exception):
    """No resource has a metric the expression names."""


def type_and_predicate(request, body, groupby):
    """The resource type ``body["resource_type"]`` names and the
    predicate of ``body["search"]``; 400s for a bad type or an attribute
    of ``groupby`` it lacks."""
    name = body["resource_type"]
    if not isinstance(name, str):
        raise ApiError(400, "resource_type must be a string",
                       parameter="resource_type")
    try:
        resource_type = get_type(request.storage, name)
    except ApiError as e:
        raise ApiError(400, e.description, parameter="resource_type") \
            from None
    check_groupby(resource_type, groupby)
    return resource_type, predicate_for(request, resource_type,
                                        body.get("search", {}), "search")


def select(request, body, groupby):
    """The resources of ``body["resource_type"]`` the user may see and
    ``body["search"]`` selects, sorted as Gnocchi sorts them (by the
    ``groupby`` attributes, else by ``revision_start``, ``started_at``)."""
    resource_type, predicate = type_and_predicate(request, body, groupby)
    return matching(request, resource_type, predicate, groupby)


def check_groupby(resource_type, groupby):
    """A 400 naming the ``groupby`` attributes ``resource_type`` lacks."""
    unknown = [a for a in groupby if a not in _COMMON
               and a not in resource_type["attributes"]]
    if unknown:
        raise ApiError(400, f"Invalid groupby attribute(s): "
                            f"{', '.join(unknown)}", parameter="groupby")


def matching(request, resource_type, predicate, groupby):
    """The resources of ``resource_type`` the user may see and
    ``predicate`` selects, sorted as Gnocchi sorts them (by the
    ``groupby`` attributes, else by ``revision_start``, ``started_at``)."""
    name, user = resource_type["name"], request.user
    found = [r for r in candidates(request, name, predicate)
             if name in ("generic", r["type"]) and may_see(user, r)
             and predicate(r)]
    keys = groupby or ["revision_start", "started_at"]
    return sorted(found, key=lambda r: [str(r.get(k) or "") for k in keys])


def groups(resources, groupby):
    """``(group, members)`` of sorted ``resources`` by ``groupby``."""
    for group, members in itertools.groupby(
            resources, lambda r: tuple((a, r.get(a)) for a in groupby)):
        yield dict(group), list(members)


def not_found(keys):
    """Gnocchi's 404 for metric names no resource has."""
    names = sorted({pattern for pattern, _ in keys})
    return ApiError(404, f"Metric {names!r} does not exist")


def references(request, resources, keys):
    """A :class:`Reference` per metric of each resource whose name a
    pattern of ``keys`` matches.

    :raises NoMetric: if there is none.
    """
    found = []
    for resource in resources:
        for pattern, aggregation in keys:
            for name, metric_id in sorted(resource["metrics"].items()):
                if not fnmatch.fnmatch(name, pattern):
                    continue
                try:
                    metric = access.get_metric(request, metric_id)
                except MetricNotFound:
                    continue  # deleted by id since, or someone else's
                found.append(Reference(
                    metric, None, aggregation, (pattern, aggregation),
                    (resource["id"], name, aggregation)))
    if not found:
        raise NoMetric()
    known = policies.policies_of(request.storage,
                                 [ref.metric for ref in found])
    for ref in found:
        ref.policy = known.get(ref.metric.get("archive_policy_name"))
    return found


def answer(request, node, keys, body, options, measures):
    """The response body: ``measures(references)`` for the resources, or
    ``[{"group", "measures"}]`` per ``groupby`` group that has metrics;
    ``measures`` computes one group's ``{"measures", ...}``."""
    groupby = options["groupby"]
    resources = select(request, body, groupby)
    if not groupby:
        try:
            refs = references(request, resources, keys)
        except NoMetric:
            raise not_found(keys) from None
        return _with_details(measures(refs), refs, resources, options)
    results = []
    for group, members in groups(resources, groupby):
        try:
            refs = references(request, members, keys)
        except NoMetric:
            continue
        results.append({"group": group, "measures": _with_details(
            measures(refs), refs, members, options)})
    if not results:
        raise not_found(keys)
    return results


def _with_details(response, refs, resources, options):
    if options["details"]:
        used = {ref.output_path[0] for ref in refs}
        response["references"] = [r for r in resources if r["id"] in used]
    return response
