"""Salted, slow password hashes with :func:`hashlib.scrypt`.

A hash is stored as ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (salt and key in
unpadded URL-safe base64), so the cost can be raised later without
invalidating the hashes already written.
"""
import base64
import functools
import hashlib
import hmac
import os

#: Cost of new hashes: 32 MiB of memory and ~70 ms of one core per hash.
#: OWASP's minimum is n=2**17; this is lower because every uwsgi worker
#: verifies each credential once (then caches it, see :mod:`.basic`) and
#: the memory is allocated per concurrent verification.
N, R, P = 2 ** 15, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32
# Refuse parameters (from a hand-edited users file) that would need more.
_MAX_MEMORY = 512 * 1024 * 1024


class InvalidHash(ValueError):
    """A stored hash is not in the ``scrypt$n$r$p$salt$key`` format."""


def _b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password, salt, n, r, p):
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=_MAX_MEMORY, dklen=_KEY_BYTES)


def hash_password(password):
    """Return a new salted hash of ``password`` (a ``str``)."""
    salt = os.urandom(_SALT_BYTES)
    key = _derive(password, salt, N, R, P)
    return f"scrypt${N}${R}${P}${_b64encode(salt)}${_b64encode(key)}"


def parse_hash(stored):
    """Split a stored hash into ``(n, r, p, salt, key)``.

    :raises InvalidHash: if it is malformed.
    """
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        n, r, p = int(n), int(r), int(p)
        salt, key = _b64decode(salt), _b64decode(key)
    except (AttributeError, ValueError) as e:
        raise InvalidHash(f"not a scrypt$n$r$p$salt$key hash: {e}") from None
    if (scheme != "scrypt" or n < 2 or n & (n - 1) or not 0 < r <= 64
            or not 0 < p <= 16 or 128 * n * r > _MAX_MEMORY // 2
            or not salt or len(key) != _KEY_BYTES):
        raise InvalidHash("unsupported scrypt parameters")
    return n, r, p, salt, key


def verify_password(password, stored):
    """Whether ``password`` matches the hash ``stored``, in constant time.

    :raises InvalidHash: if ``stored`` is malformed.
    """
    n, r, p, salt, key = parse_hash(stored)
    return hmac.compare_digest(_derive(password, salt, n, r, p), key)


@functools.cache
def dummy_hash():
    """A hash to verify against when the user does not exist, so that an
    unknown user name takes as long to refuse as a wrong password."""
    return hash_password(os.urandom(8).hex())
