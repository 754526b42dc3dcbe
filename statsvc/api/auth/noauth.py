"""``auth_mode = none``: development, every caller is trusted.

As in Gnocchi's noauth mode, a request may say who it is with ``X-User-Id``
and ``X-Roles`` (comma-separated), which is what gnocchiclient's
``gnocchi-noauth`` plugin sends. As in Gnocchi's basic mode, it may instead
send HTTP Basic with any password (gnocchiclient's ``gnocchi-basic`` sends
an empty one): the user ``admin`` is an admin, any other is not. Without
either the caller is the implicit user ``admin`` with the admin role.
"""
import ipaddress
import logging

from statsvc.api.auth import User
from statsvc.api.auth.basic import parse_basic
from statsvc.api.auth.users import ADMIN_ROLE, validate_name
from statsvc.api.errors import ApiError

LOG = logging.getLogger(__name__)

IMPLICIT_USER = User("admin", frozenset({ADMIN_ROLE}))
# uwsgi options that bind a listening socket, in the order they are looked at.
_SOCKET_OPTIONS = ("http", "http-socket", "http11-socket", "https", "socket")


def bind_host(conf):
    """The address this process serves on.

    Under uwsgi, the host of the socket uwsgi really bound (whatever
    ``statsvc-api --host`` or an operator's ini said); elsewhere
    ``[api] host``.
    """
    try:
        import uwsgi
    except ImportError:
        return conf.get("api", "host")
    for option in _SOCKET_OPTIONS:
        value = uwsgi.opt.get(option)
        if isinstance(value, list):  # an option given several times
            value = value[0]
        if value:
            if isinstance(value, bytes):
                value = value.decode()
            return value.rpartition(":")[0]
    return conf.get("api", "host")


def is_loopback(host):
    """Whether ``host`` is reachable only from this machine."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # "", "0.0.0.0"-like wildcards or a host name
        return False


class NoAuth:
    """Trust the caller; warn loudly if anyone but this machine can call."""

    def __init__(self, host):
        if not is_loopback(host):
            LOG.warning(
                "!!! auth_mode = none while listening on %r: ANYONE who can "
                "reach this address can read, write and delete EVERY metric. "
                "Set [api] auth_mode = basic (see statsvc-manage user add) or "
                "bind to 127.0.0.1. !!!", host)

    def authenticate(self, request):
        """The user named by ``X-User-Id``/``X-Roles``, else by HTTP Basic,
        else the admin."""
        name = request.headers.get("X-User-Id")
        if name is not None:
            roles = request.headers.get("X-Roles", "")
            roles = frozenset(role.strip() for role in roles.split(",")
                              if role.strip())
            where = "X-User-Id"
        elif "Authorization" in request.headers:
            # An empty or malformed header is a 401, as in Gnocchi's basic
            # mode: the client meant to say who it is and failed.
            name, _ = parse_basic(request.headers["Authorization"])
            roles = IMPLICIT_USER.roles if name == IMPLICIT_USER.name \
                else frozenset()
            where = "Authorization"
        else:
            return IMPLICIT_USER
        try:
            validate_name(name)
        except ValueError as e:
            raise ApiError(400, f"{where}: {e}")
        return User(name, roles)
