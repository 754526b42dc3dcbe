"""Who is calling: ``[api] auth_mode`` is ``none`` or ``basic``.

An authenticator has one method, ``authenticate(request)``, that returns
the :class:`User` or raises :class:`AuthenticationRequired` (HTTP 401).
:func:`from_config` builds the configured one, once per process.
"""
import dataclasses

from statsvc.api.auth.users import ADMIN_ROLE
from statsvc.api.errors import ApiError
from statsvc.config import ConfigError


@dataclasses.dataclass(frozen=True)
class User:
    """An authenticated caller: a name (recorded as metrics' ``creator``)
    and roles."""

    name: str
    roles: frozenset = frozenset()

    @property
    def is_admin(self):
        """Admins see every metric, whoever created it."""
        return ADMIN_ROLE in self.roles


class AuthenticationRequired(ApiError):
    """Missing or wrong credentials: a 401 that asks for HTTP Basic."""

    headers = {"WWW-Authenticate": 'Basic realm="statsvc"'}

    def __init__(self, description):
        super().__init__(401, description)


def from_config(conf):
    """The authenticator for ``[api] auth_mode``.

    :raises ConfigError: for an unknown mode or an unreadable users file.
    """
    # Imported here: each mode's module imports this one for User.
    from statsvc.api.auth import basic, noauth

    mode = conf.get("api", "auth_mode")
    if mode == "none":
        return noauth.NoAuth(noauth.bind_host(conf))
    if mode == "basic":
        return basic.BasicAuth(conf.get("api", "users_file"))
    raise ConfigError(f"[api] auth_mode = {mode!r}: expected none or basic")
