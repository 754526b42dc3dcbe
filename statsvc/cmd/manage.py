"""``statsvc-manage``: administration commands.

``statsvc-manage user add NAME [--admin]`` asks for the password (twice, on
a terminal; one line on standard input otherwise, for scripts),
``user remove NAME`` and ``user list`` maintain the users file of
``[api] auth_mode = basic`` (``[api] users_file``, or ``--users-file``).
A running service picks changes up on its next request.
"""
import argparse
import getpass
import sys

from statsvc import config as config_module
from statsvc.api.auth import users


def _read_password():
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise SystemExit("statsvc-manage: the passwords differ")
    if not password:
        raise SystemExit("statsvc-manage: empty password")
    return password


def _user_add(args):
    try:
        users.validate_name(args.name)
    except ValueError as e:
        raise SystemExit(f"statsvc-manage: {e}")
    users.add_user(args.users_file, args.name, _read_password(),
                   admin=args.admin)
    print(f"user {args.name} saved in {args.users_file}")


def _user_remove(args):
    try:
        users.remove_user(args.users_file, args.name)
    except KeyError:
        raise SystemExit(f"statsvc-manage: no user {args.name!r} in "
                         f"{args.users_file}")
    print(f"user {args.name} removed from {args.users_file}")


def _user_list(args):
    for name, entry in sorted(users.load(args.users_file).items()):
        print(name, ",".join(entry["roles"]), sep="\t")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="statsvc-manage", description="Administer statsvc.")
    parser.add_argument("--config", help="statsvc.conf (or $STATSVC_CONFIG)")
    parser.add_argument("--users-file",
                        help="users file (default: [api] users_file)")
    commands = parser.add_subparsers(dest="command", required=True)
    user = commands.add_parser("user", help="users of auth_mode = basic")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user or reset a password")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true",
                     help="give the admin role (sees every metric)")
    add.set_defaults(func=_user_add)
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(func=_user_remove)
    actions.add_parser("list", help="list users and their roles") \
        .set_defaults(func=_user_list)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if not args.users_file:
        try:
            conf = config_module.load(args.config)
        except config_module.ConfigError as e:
            raise SystemExit(f"statsvc-manage: {e}")
        args.users_file = conf.get("api", "users_file")
    try:
        args.func(args)
    except (users.UsersFileError, OSError) as e:
        raise SystemExit(f"statsvc-manage: {e}")
