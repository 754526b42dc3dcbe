"""``/v1/archive_policy``: Gnocchi's archive policies."""
import pecan
from pecan import rest

from statsvc import archive_policy
from statsvc.api import policies
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response
from statsvc.storage import DocumentNotFound


def _body(request):
    return read_json(request, request.conf.getint("api", "max_body_size"))


class ArchivePolicyController(rest.RestController):
    """``/v1/archive_policy/<name>``: show, change (points/timespan and
    back_window only) and delete (not while a metric or rule uses it)."""

    #: Name of the path segment this controller stands for (OpenAPI).
    path_parameter = "name"

    def __init__(self, name):
        self.name = name

    @pecan.expose()
    def get_all(self):
        policy = policies.get_policy(pecan.request.storage, self.name)
        return json_response(archive_policy.to_json(policy))

    @pecan.expose()
    def patch(self):
        request = pecan.request
        policies.require_admin(request)
        policy = policies.get_policy(request.storage, self.name)
        try:
            policy = archive_policy.updated_policy(policy, _body(request))
            request.storage.replace_document(policies.POLICY, self.name,
                                             policy)
        except archive_policy.PolicyError as e:
            raise policies.bad_policy(e)
        except DocumentNotFound:  # deleted meanwhile
            raise policies.not_found(policies.POLICY, self.name)
        policies.apply_retention(request.storage, policy)
        return json_response(archive_policy.to_json(policy))

    @pecan.expose()
    def delete(self):
        request = pecan.request
        policies.require_admin(request)
        policies.get_policy(request.storage, self.name)
        # Checked, not enforced: a metric created with this policy while it
        # is deleted is shown and read as a metric without policy.
        reason = policies.in_use(request.storage, self.name)
        if reason:
            raise ApiError(400, f"Archive policy {self.name} is still in use"
                                f": {reason}")
        return policies.delete(request.storage, policies.POLICY, self.name)


class ArchivePoliciesController(rest.RestController):
    """``/v1/archive_policy``: list and create."""

    @pecan.expose()
    def get_all(self):
        stored = pecan.request.storage.list_documents(policies.POLICY)
        return json_response([archive_policy.to_json(p) for p in
                              sorted(stored, key=lambda p: p["name"])])

    @pecan.expose()
    def post(self):
        request = pecan.request
        policies.require_admin(request)
        try:
            policy = archive_policy.new_policy(_body(request))
        except archive_policy.PolicyError as e:
            raise policies.bad_policy(e)
        return policies.create(request, policies.POLICY, policy,
                               archive_policy.to_json(policy))

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return ArchivePolicyController(name), remainder
