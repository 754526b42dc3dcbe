"""``/v1/resource_type``: the types of resources and their attributes."""
import pecan
from pecan import rest

from statsvc import resource_type as types
from statsvc.api import policies
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.resource_access import RESOURCE
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
