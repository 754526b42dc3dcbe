"""The users file of ``auth_mode = basic``: names, password hashes, roles.

A JSON document, written only by ``statsvc-manage user``::

    {"users": {"alice": {"password": "scrypt$...", "roles": ["admin"]}}}

Writes replace the file atomically (temporary file, ``fsync``, rename) with
mode 0600 under an exclusive lock on ``<file>.lock``, so a running service
never reads half a file and two concurrent commands do not lose an update.
"""
import contextlib
import fcntl
import json
import os
import re
import tempfile

from statsvc.api.auth import passwords

#: User names: printable, no colon (HTTP Basic splits at the first one).
NAME = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")
ADMIN_ROLE = "admin"


class UsersFileError(ValueError):
    """The users file cannot be read, or holds invalid entries."""


def validate_name(name):
    """Return ``name`` if it is a valid user name, else raise ValueError."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"invalid user name {name!r}: use 1 to 64 letters, "
                         f"digits or _.@+-")
    return name


def load(path):
    """Return ``{name: {"password": hash, "roles": [role, ...]}}``.

    A missing file holds no users. :raises UsersFileError: if unreadable or
    malformed.
    """
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise UsersFileError(f"cannot read users file {path}: {e}") from None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, dict):
        raise UsersFileError(f"{path}: expected {{\"users\": {{...}}}}")
    for name, entry in users.items():
        try:
            validate_name(name)
            passwords.parse_hash(entry["password"])
            if not (isinstance(entry["roles"], list) and all(
                    isinstance(role, str) for role in entry["roles"])):
                raise ValueError("roles must be a list of strings")
        except (ValueError, TypeError, KeyError) as e:
            raise UsersFileError(f"{path}: user {name!r}: {e}") from None
    return users


def _save(path, users):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".users-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"users": users}, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def editing(path):
    """Yield the users dict for changes, saved atomically on success."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        users = load(path)
        yield users
        _save(path, users)


def add_user(path, name, password, admin=False):
    """Add user ``name``, or replace their password and roles."""
    validate_name(name)
    with editing(path) as users:
        users[name] = {"password": passwords.hash_password(password),
                       "roles": [ADMIN_ROLE] if admin else []}


def remove_user(path, name):
    """Remove user ``name``; raise KeyError if there is none."""
    with editing(path) as users:
        if name not in users:
            raise KeyError(name)
        del users[name]
