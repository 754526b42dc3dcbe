"""``/v1/resource/<type>[/<id>[/metric/<name>]]``: resources and the
metrics they name.

Resources are documents of the storage driver (every API host sees the
same ones); a resource's ``metrics`` maps names to metric ids, and each of
those metrics records the resource in its ``resource_id``.
"""
import pecan
from pecan import rest

from statsvc import resource_type as types
from statsvc import resources, search
from statsvc.api import listing, policies
from statsvc.api.resources import history as resource_history
from statsvc.api.arguments import boolean as _boolean
from statsvc.api.body import read_json
from statsvc.api.controllers.measures import MeasuresController
from statsvc.api.controllers.metric import MetricController
from statsvc.api.controllers.resource_type import get_type
from statsvc.api.resources.query import query_predicate
from statsvc.api.resources.access import (
    RESOURCE, candidates, get_resource, may_see, sorted_candidates)
from statsvc.api.resources.metrics import (
    attach_metrics, check_metric_specs, save_added, save_resource)
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.responses import empty_response, json_response, resource_url
from statsvc.storage import (
    DocumentAlreadyExists, DocumentNotFound, MetricNotFound)

_SORTABLE = ("id", "original_resource_id", "type", "creator", "user_id",
             "project_id", "started_at", "ended_at", "revision_start",
             "revision_end")
_DEFAULT_SORT = ["revision_start:asc", "started_at:asc"]


def _invalid(error):
    return invalid_input(str(error), getattr(error, "path", []))


def _patched(rtype, resource, fields):
    try:
        return resources.patched(rtype, resource, fields)
    except (resources.ResourceError, types.AttributeValueError) as e:
        raise _invalid(e) from None


def _body(request):
    return read_json(request, request.conf.getint("api", "max_body_size"))


class _ByName:
    """Resolves a resource's metric by name when a handler first needs its
    id, within the request: routing builds controllers before that."""

    def __init__(self, type_name, resource, name):
        self.type_name, self._resource, self.name = type_name, resource, name

    @property
    def metric_id(self):
        resource = get_resource(pecan.request, self.type_name,
                                self._resource.resource_id)
        metric_id = resource["metrics"].get(self.name)
        if metric_id is None:
            raise ApiError(404, f"Metric {self.name} does not exist")
        return metric_id


class NamedMeasuresController(_ByName, MeasuresController):
    """``.../metric/<name>/measures``: the measures of a metric by name."""


class NamedMetricController(_ByName, MetricController):
    """``/v1/resource/<type>/<id>/metric/<name>``: a metric by name."""

    path_parameter = "name"

    def __init__(self, type_name, resource, name):
        super().__init__(type_name, resource, name)
        self.measures = NamedMeasuresController(type_name, resource, name)


class NamedMetricsController(rest.RestController):
    """``/v1/resource/<type>/<id>/metric``: the resource's metrics."""

    def __init__(self, type_name, resource):
        self.type_name = type_name
        self._resource = resource

    @pecan.expose()
    def post(self):
        request = pecan.request
        resource = get_resource(request, self.type_name,
                                self._resource.resource_id)
        resource = save_added(request, resource["id"], attach_metrics(
            request, resource, _body(request)))
        return json_response(_metrics_json(request, resource))

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        resource = get_resource(request, self.type_name,
                                self._resource.resource_id)
        return json_response(_metrics_json(request, resource))

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return NamedMetricController(self.type_name, self._resource,
                                     name), remainder


def _metrics_json(request, resource):
    metrics = []
    for metric_id in resource["metrics"].values():
        try:
            metrics.append(request.storage.get_metric(metric_id))
        except MetricNotFound:
            pass  # deleted by id since: the resource no longer has it
    known = policies.policies_of(request.storage, metrics)
    return sorted((policies.metric_json(m, known) for m in metrics),
                  key=lambda m: m["name"] or "")


class ResourceHistoryController(rest.RestController):
    """``/v1/resource/<type>/<id>/history``: every revision, oldest first."""

    def __init__(self, type_name, resource):
        self.type_name = type_name
        self._resource = resource

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        resource = get_resource(request, self.type_name,
                                self._resource.resource_id)
        return list_resources(request, self.type_name, revisions=[resource],
                              allowed=("limit", "marker", "sort", "attrs",
                                       "details"))


class ResourceController(rest.RestController):
    """``/v1/resource/<type>/<id>``."""

    path_parameter = "resource_id"

    def __init__(self, type_name, original_id):
        self.type_name = type_name
        self.original_id = original_id
        self.metric = NamedMetricsController(type_name, self)
        self.history = ResourceHistoryController(type_name, self)

    @property
    def resource_id(self):
        """The UUID the id in the URL maps to for the requesting user."""
        try:
            return resources.resource_uuid(self.original_id,
                                           pecan.request.user.name)
        except resources.ResourceError:
            raise ApiError(404, f"Resource {self.original_id} does not "
                                f"exist") from None

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        return json_response(get_resource(request, self.type_name,
                                          self.resource_id))

    @pecan.expose()
    def patch(self):
        request = pecan.request
        resource = get_resource(request, self.type_name, self.resource_id)
        body = _body(request)
        rtype = get_type(request.storage, resource["type"])
        fields = {k: v for k, v in body.items() if k != "metrics"} \
            if isinstance(body, dict) else body
        updated, changed = _patched(rtype, resource, fields)
        if "metrics" in body:
            updated["metrics"] = attach_metrics(
                request, updated, body["metrics"], replace=True).metrics
        if changed:
            resource_history.record(request.storage, resource,
                                    updated["revision_start"])

        def again(current):
            # Another request changed the resource meanwhile (its metrics,
            # most likely): this PATCH applies to what it stored.
            patched = _patched(rtype, current, fields)[0]
            if "metrics" in body:
                patched["metrics"] = updated["metrics"]
            return patched

        return json_response(save_resource(request.storage, resource,
                                           updated, again))

    @pecan.expose()
    def delete(self):
        request = pecan.request
        if not delete_resource(request, get_resource(
                request, self.type_name, self.resource_id)):
            raise ApiError(404, f"Resource {self.resource_id} does not exist")
        return empty_response(204)


def delete_resource(request, resource):
    """Delete ``resource``, its history and, as in Gnocchi, its metrics;
    False if it was gone already."""
    try:
        request.storage.delete_document(RESOURCE, resource["id"])
    except DocumentNotFound:
        return False
    resource_history.forget(request.storage, resource["id"])
    for metric_id in resource["metrics"].values():
        try:
            request.storage.delete_metric(metric_id)
        except MetricNotFound:
            pass
    return True


class ResourcesController(rest.RestController):
    """``/v1/resource/<type>``."""

    path_parameter = "resource_type"

    def __init__(self, type_name):
        self.type_name = type_name

    @pecan.expose()
    def post(self):
        request = pecan.request
        rtype = get_type(request.storage, self.type_name)
        body = _body(request)
        if isinstance(body, dict) and "metrics" in body:
            check_metric_specs(body["metrics"])
        try:
            resource = resources.new_resource(
                rtype, {k: v for k, v in body.items() if k != "metrics"}
                if isinstance(body, dict) else body, request.user.name)
        except (resources.ResourceError, types.AttributeValueError) as e:
            raise _invalid(e) from None
        try:
            request.storage.get_document(RESOURCE, resource["id"])
            raise ApiError(409, f"Resource {resource['id']} already exists")
        except DocumentNotFound:
            pass
        # Metrics before the resource: a concurrent create of the same id
        # then fails below, leaving metrics no resource names, never a
        # resource naming metrics that do not exist.
        attachment = attach_metrics(request, resource,
                                    body.get("metrics", {}))
        resource["metrics"] = attachment.metrics
        try:
            request.storage.create_document(RESOURCE, resource["id"],
                                            resource)
        except DocumentAlreadyExists:
            attachment.undo(request.storage)
            raise ApiError(409, f"Resource {resource['id']} already exists")
        response = json_response(resource, status=201)
        response.location = resource_url(request, "v1", "resource",
                                         self.type_name, resource["id"])
        return response

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        get_type(request.storage, self.type_name)
        return list_resources(request, self.type_name)

    @pecan.expose()
    def delete(self):
        """Delete every resource of the type the query selects (never
        with an empty query): ``{"deleted": n}``."""
        request = pecan.request
        predicate = query_predicate(
            request, get_type(request.storage, self.type_name),
            allow_empty=False)
        user = request.user
        deleted = sum(
            delete_resource(request, r)
            for r in candidates(request, self.type_name, predicate)
            if self.type_name in ("generic", r["type"])
            and may_see(user, r) and predicate(r))
        return json_response({"deleted": deleted})

    @pecan.expose()
    def _lookup(self, resource_id, *remainder):
        return ResourceController(self.type_name, resource_id), remainder


def list_resources(request, type_name, predicate=search.EVERYTHING,
                   allowed=("limit", "marker", "sort", "attrs", "history",
                            "details"), revisions=None):
    """The response listing the resources of ``type_name`` the user may
    see and ``predicate`` (a :class:`statsvc.search.Query`) selects: a
    page, with Gnocchi's ``Link`` to the next, each resource cut to the ``attrs`` asked for (unknown ones
    ignored, ``id`` always kept). With ``history=true``, or for the
    resources given as ``revisions``, every revision of each is listed,
    and markers are Gnocchi's ``<id>@<n>`` (``@-1``: the current one)."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) {', '.join(unknown)}; "
                            f"allowed: {', '.join(allowed)}")
    history = revisions is not None or _boolean(
        request.GET.get("history", "false"), "history")
    # The next page's link keeps what selects and shapes this one.
    kept = {name: request.GET.getall(name) for name in ("attrs", "history")
            if name in request.GET}
    max_limit = request.conf.getint("api", "max_limit")
    user = request.user

    def selected(resources):
        return (r for r in resources
                if type_name in ("generic", r["type"])
                and may_see(user, r) and predicate(r))
    if not history:
        # Read in order from the store, only as far as the page goes.
        order = listing.sort_order(request, _SORTABLE, _DEFAULT_SORT)
        page, link = listing.page(
            request, selected(sorted_candidates(
                request, type_name, order, predicate)),
            _DEFAULT_SORT, max_limit, kept)
    else:
        if revisions is None:
            revisions = list(selected(candidates(request, type_name,
                                                 predicate)))
        visible, key = resource_history.all_revisions(request.storage,
                                                      revisions)
        page, link = listing.paginate(request, visible, _SORTABLE,
                                      _DEFAULT_SORT, max_limit, kept,
                                      key=key)
    attrs = request.GET.getall("attrs")
    if attrs:
        page = [{k: v for k, v in r.items() if k == "id" or k in attrs}
                for r in page]
    response = json_response(page)
    if link is not None:
        response.headers["Link"] = link
    return response


class ResourceTypesIndexController(rest.RestController):
    """``/v1/resource``: a link per resource type."""

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        names = ["generic", *sorted(
            t["name"] for t in request.storage.list_documents("resource_type"))]
        return json_response({n: resource_url(request, "v1", "resource", n)
                              for n in names})

    @pecan.expose()
    def _lookup(self, type_name, *remainder):
        return ResourcesController(type_name), remainder
