"""``/v1/resource_type``: the types of resources and their attributes."""
import pecan
from pecan import rest

from statsvc import resource_type as types
from statsvc.api import policies
from statsvc.api.resources import history as resource_history
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.resources.access import RESOURCE
from statsvc.api.responses import empty_response, json_response, resource_url
from statsvc.storage import DocumentAlreadyExists, DocumentNotFound

KIND = "resource_type"


def get_type(storage, name):
    """The type document ``name``; ``generic`` is built in.

    :raises ApiError: 404 if there is none.
    """
    if name == types.GENERIC["name"]:
        return types.GENERIC
    try:
        return storage.get_document(KIND, name)
    except DocumentNotFound:
        raise ApiError(404, f"Resource type {name} does not exist") from None


class ResourceTypeController(rest.RestController):
    """``/v1/resource_type/<name>``."""

    path_parameter = "name"

    def __init__(self, name):
        self.name = name

    @pecan.expose()
    def get_all(self):
        return json_response(get_type(pecan.request.storage, self.name))

    @pecan.expose()
    def patch(self):
        """A JSON Patch (``application/json-patch+json``) that adds or
        removes attributes; existing resources, and their past revisions,
        take each new attribute's ``options.fill`` (or null)."""
        request = pecan.request
        policies.require_admin(request)
        current = get_type(request.storage, self.name)
        if self.name == types.GENERIC["name"]:
            raise ApiError(400, "Resource type generic cannot be changed")
        operations = read_json(
            request, request.conf.getint("api", "max_body_size"),
            "application/json-patch+json")
        try:
            new, fills, removed = types.patch_type(current, operations)
        except types.TypeDefinitionError as e:
            raise (invalid_input(str(e), e.path) if e.path
                   else ApiError(400, str(e))) from None
        if new == current:
            return json_response(current)
        request.storage.replace_document(KIND, self.name, new)
        _migrate_resources(request.storage, self.name, fills, removed)
        return json_response(new)

    @pecan.expose()
    def delete(self):
        request = pecan.request
        policies.require_admin(request)
        get_type(request.storage, self.name)
        if self.name == types.GENERIC["name"]:
            raise ApiError(400, "Resource type generic cannot be deleted")
        if any(r["type"] == self.name
               for r in request.storage.list_documents(RESOURCE)):
            # 400 as Gnocchi answers (its resource-type tests check it).
            raise ApiError(400, f"Resource type {self.name} is still in use")
        try:
            request.storage.delete_document(KIND, self.name)
        except DocumentNotFound:
            raise ApiError(404, f"Resource type {self.name} does not exist")
        return empty_response(204)


def _migrate(resource, fills, removed):
    for name, value in fills.items():
        if resource.get(name) is None:
            resource[name] = value
    for name in removed:
        resource.pop(name, None)
    return resource


def _migrate_resources(storage, type_name, fills, removed):
    """Give the resources of a changed type, and their past revisions, the
    new attributes and drop the removed ones."""
    def migrated(resource):
        return _migrate(resource, fills, removed)

    def history(doc):
        doc["revisions"] = [migrated(r) for r in doc["revisions"]]
        return doc

    for resource in storage.find_documents(RESOURCE, "type", [type_name]):
        _update(storage, RESOURCE, resource["id"], migrated)
    for doc in storage.list_documents(resource_history.KIND):
        revisions = doc["revisions"]
        if revisions and revisions[0]["type"] == type_name:
            _update(storage, resource_history.KIND, revisions[0]["id"],
                    history)


def _update(storage, kind, name, change):
    """Change a document whatever writers do meanwhile, unless deleted."""
    try:
        storage.update_document(kind, name, change)
    except DocumentNotFound:
        pass


class ResourceTypesController(rest.RestController):
    """``/v1/resource_type``."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        policies.require_admin(request)
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        try:
            doc = types.parse_type(body)
        except types.TypeDefinitionError as e:
            raise invalid_input(str(e), e.path) from None
        if doc["name"] == types.GENERIC["name"]:
            raise ApiError(409, "Resource type generic already exists")
        try:
            request.storage.create_document(KIND, doc["name"], doc)
        except DocumentAlreadyExists:
            raise ApiError(409, f"Resource type {doc['name']} already exists")
        response = json_response(doc, status=201)
        response.location = resource_url(request, "v1", KIND, doc["name"])
        return response

    @pecan.expose()
    def get_all(self):
        custom = sorted(pecan.request.storage.list_documents(KIND),
                        key=lambda t: t["name"])
        return json_response([types.GENERIC, *custom])

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return ResourceTypeController(name), remainder
