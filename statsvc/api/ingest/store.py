"""Storing mapped ingest series: resources and metrics found or created
(Gnocchi's get-or-create), then every point in one atomic batch."""
from statsvc import resource_type as types
from statsvc import resources
from statsvc.api import access
from statsvc.api.controllers.resource_type import KIND, get_type
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.ingest.metrics import metric_ids
from statsvc.api.resources.access import RESOURCE, may_see
from statsvc.storage import DocumentAlreadyExists, DocumentNotFound


def ensure_type(storage, body):
    """Create the resource type ``body`` describes unless one of its name
    exists (a 400 if the name is not a valid type name)."""
    try:
        doc = types.parse_type(body)
    except types.TypeDefinitionError as e:
        raise invalid_input(str(e), e.path) from None
    try:
        storage.get_document(KIND, doc["name"])
        return  # a read, not a failed write, on every remote write
    except DocumentNotFound:
        pass
    try:
        storage.create_document(KIND, doc["name"], doc)
    except DocumentAlreadyExists:
        pass


def store(request, type_name, series, attributes=None):
    """Store ``{original resource id: {metric name: (timestamps,
    values)}}`` (from :mod:`statsvc.ingest.mapping`); return the number of
    points.

    A missing resource is created as a ``type_name`` with
    ``attributes[original id]``; a missing metric is created on its
    resource (:mod:`.metrics`), its archive policy chosen by the
    rules. 400 over the per-request measure limit, 409 for an id taken by
    another type.
    """
    limit = request.conf.getint("api", "max_measures_per_request")
    total = sum(len(ts) for names in series.values()
                for ts, _ in names.values())
    if total > limit:
        raise ApiError(400, f"{total} measures exceed the limit of {limit} "
                            f"per request")
    rtype = get_type(request.storage, type_name)
    # Every resource found or checked before anything is created.
    found = {original: _find_or_build(request, rtype, original,
                                      (attributes or {}).get(original, {}))
             for original in series}
    batch = {}
    for original, by_name in series.items():
        resource = _created(request, rtype, original, *found[original])
        ids = metric_ids(request, resource, by_name)
        for name, measures in by_name.items():
            batch[ids[name]] = measures
    access.check_metrics(request, batch)
    request.storage.add_measures(batch)
    return total


def _find_or_build(request, rtype, original, attributes):
    """``(resource, True)`` if ``original`` names one of ``request.user``'s
    resources, else ``(new resource document, False)``."""
    rid = resources.resource_uuid(original, request.user.name)
    try:
        resource = request.storage.get_document(RESOURCE, rid)
    except DocumentNotFound:
        try:
            return resources.new_resource(
                rtype, dict(attributes, id=original), request.user.name), \
                False
        except (resources.ResourceError, types.AttributeValueError) as e:
            raise invalid_input(f"resource {original}: {e}",
                                e.path) from None
    if not may_see(request.user, resource):
        # As a POST of that id answers: taken, whose is not said.
        raise _conflict(original, rid, "it exists")
    if resource["type"] != rtype["name"]:
        raise _conflict(original, rid, f"it has type {resource['type']}, "
                                       f"not {rtype['name']}")
    return resource, True


def _conflict(original, rid, reason):
    """Gnocchi's 409 for a resource id taken by another type."""
    return ApiError(409, {"cause": "Resource already exists", "detail": rid,
                          "reason": f"resource {original}: {reason}"})


def _created(request, rtype, original, resource, exists):
    """The resource, stored if new (a concurrent writer's if it won)."""
    if exists:
        return resource
    try:
        request.storage.create_document(RESOURCE, resource["id"], resource)
        return resource
    except DocumentAlreadyExists:
        return _find_or_build(request, rtype, original, {})[0]
