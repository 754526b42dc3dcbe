"""``auth_mode = basic``: HTTP Basic against the users file.

Verifying a password costs one scrypt (~70 ms and 32 MiB, see
:mod:`.passwords`), far too much for every request of a service that must
serve hundreds per second. Successful verifications are therefore cached in
memory, per process:

* the key is an HMAC-SHA256 of the whole ``Authorization`` header under a
  random per-process secret, so the cache holds no password, and no fast
  unsalted hash that could be matched against a precomputed table;
* only successes are cached, so a wrong password always costs a full
  scrypt: guessing stays slow. An unknown user name is verified against a
  dummy hash so that it takes as long to refuse as a wrong password and
  user names cannot be probed by timing;
* the cache is emptied whenever the users file changes (checked with one
  ``stat`` per request), so a removed user or a changed password takes
  effect on the next request, without restart;
* it holds at most :data:`CACHE_SIZE` entries (least recently used out),
  and only valid credentials can create entries.

Failed attempts are not rate-limited here: each costs a verification, so a
public deployment puts a rate limit on 401s in its reverse proxy.
"""
import base64
import binascii
import collections
import hashlib
import hmac
import logging
import os
import threading

from statsvc.api.auth import AuthenticationRequired, User
from statsvc.api.auth import passwords, users as users_file
from statsvc.config import ConfigError

LOG = logging.getLogger(__name__)

CACHE_SIZE = 4096


def parse_basic(header):
    """``(name, password)`` from an ``Authorization: Basic`` header value.

    :raises AuthenticationRequired: if it is not well-formed Basic.
    """
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise AuthenticationRequired(
            "Unsupported authorization scheme: use HTTP Basic")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode(
            "utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationRequired("Malformed HTTP Basic credentials")
    name, colon, password = decoded.partition(":")
    if not colon:
        raise AuthenticationRequired("Malformed HTTP Basic credentials")
    return name, password


class BasicAuth:
    """Verify HTTP Basic credentials against the users file at ``path``.

    Thread-safe; one instance per process.
    """

    def __init__(self, path):
        if not path:
            raise ConfigError("[api] auth_mode = basic needs [api] users_file")
        self.path = path
        self._lock = threading.Lock()
        self._secret = os.urandom(32)
        self._cache = collections.OrderedDict()
        self._users = None
        self._stamp = "not read yet"  # unlike any os.stat stamp, or None
        try:
            self._refresh()
        except users_file.UsersFileError as e:
            raise ConfigError(str(e)) from None
        if not self._users:
            LOG.warning("users file %s holds no users: every request will "
                        "be refused until `statsvc-manage user add`", path)

    def _refresh(self):
        """Reload the users and empty the cache if the file changed."""
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                loaded = users_file.load(self.path)
            except users_file.UsersFileError:
                if self._users is None:
                    raise
                # Fail closed: a broken file must not keep removed users in.
                LOG.exception("users file unreadable; refusing everyone")
                loaded = {}
            self._users, self._stamp = loaded, stamp
            self._cache.clear()

    def authenticate(self, request):
        """Return the :class:`User` of the request's Basic credentials."""
        header = request.headers.get("Authorization")
        if not header:
            raise AuthenticationRequired(
                "Authentication required: send HTTP Basic credentials")
        self._refresh()
        key = hmac.digest(self._secret, header.encode("utf-8", "surrogatepass"),
                          hashlib.sha256)
        with self._lock:
            user = self._cache.get(key)
            if user is not None:
                self._cache.move_to_end(key)
                return user
            known, stamp = self._users, self._stamp
        name, password = parse_basic(header)
        entry = known.get(name)
        valid = passwords.verify_password(
            password, entry["password"] if entry else passwords.dummy_hash())
        if not (valid and entry):
            raise AuthenticationRequired("Invalid user name or password")
        user = User(name, frozenset(entry["roles"]))
        with self._lock:
            if stamp == self._stamp:  # not from a users file replaced since
                self._cache[key] = user
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return user
