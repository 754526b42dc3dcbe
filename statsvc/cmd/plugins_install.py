"""``statsvc-plugins install`` and ``uninstall``: pip in the service's own
environment, as ``datasette install`` does.

    statsvc-plugins install [-U] [-e] [--touch-reload FILE] PACKAGE|PATH...
    statsvc-plugins uninstall [-y] [--touch-reload FILE] DISTRIBUTION...

pip runs as ``python -m pip`` with the interpreter that runs this command,
the service's, so the packages land where the service imports from. Then,
when ``--touch-reload FILE`` names the file given to ``statsvc-api
--touch-reload``, that file is touched: uwsgi reloads the workers
gracefully and they load the new plugins. Last, what changed in the
``statsvc.statistics`` namespace is printed, one line per statistic:
``+`` added, ``-`` removed, ``~`` changed, ``!`` now failing to load.

The exit status is pip's when pip fails; else 1 if a statistic that loaded
(or was absent) now fails, else 0.
"""
import json
import os
import subprocess
import sys
import time

from statsvc.api import statistics_registry


class SnapshotError(RuntimeError):
    """The listing of the statistics could not be read."""


def statistics_snapshot():
    """``{name: row}`` of the statistics namespace, rows as
    ``statsvc-plugins list --json`` gives them.

    Read by a fresh interpreter: this one may have cached the installed
    distributions' metadata from before pip ran.
    """
    result = subprocess.run(
        # -P: a checkout in the working directory must not shadow the
        # installed statsvc.
        [sys.executable, "-P", "-m", "statsvc.cmd.plugins", "list",
         statistics_registry.NAMESPACE, "--json"],
        capture_output=True, text=True)
    try:
        rows = json.loads(result.stdout)
    except ValueError:
        raise SnapshotError(result.stderr.strip() or result.stdout) from None
    return {row["name"]: row for row in rows}


def _describe(row):
    return f"{row['target']} [{row['distribution']} {row['version']}]"


def changes(before, after):
    """The lines that say how the statistics went from ``before`` to
    ``after`` (two :func:`statistics_snapshot`), and whether one of them
    now fails to load where it did not before."""
    lines, newly_failing = [], False
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if new is None:
            lines.append(f"- {name} = {_describe(old)}")
            continue
        if old is None:
            lines.append(f"+ {name} = {_describe(new)}")
        elif _describe(old) != _describe(new):
            lines.append(f"~ {name} = {_describe(old)} -> {_describe(new)}")
        if new["loads"] is False and (old is None or old["loads"] is not False):
            lines.append(f"! {name} fails to load: {new['error']}")
            newly_failing = True
    return lines or ["statistics unchanged"], newly_failing


def touch(path):
    """Touch ``path`` (created if missing) with an mtime a whole second past
    its previous one: uwsgi compares whole seconds."""
    try:
        previous = os.stat(path).st_mtime
    except FileNotFoundError:
        open(path, "a").close()
        previous = 0
    stamp = max(time.time(), previous + 1)
    os.utime(path, (stamp, stamp))


def run(pip_args, touch_reload=None):
    """Run ``pip *pip_args``, touch ``touch_reload``, print the changes;
    return the exit status."""
    try:
        before = statistics_snapshot()
        pip = subprocess.run([sys.executable, "-m", "pip", *pip_args])
        if pip.returncode:
            return pip.returncode
        if touch_reload:
            touch(touch_reload)
            print(f"touched {touch_reload}: the workers reload")
        after = statistics_snapshot()
    except SnapshotError as e:
        raise SystemExit(f"statsvc-plugins: cannot list the statistics: {e}")
    lines, newly_failing = changes(before, after)
    print("\n".join(lines))
    return int(newly_failing)


def add_commands(commands):
    """Add ``install`` and ``uninstall`` to the ``statsvc-plugins`` parser's
    subcommands (``commands``); :func:`pip_args` reads what they parse."""
    install = commands.add_parser(
        "install", help="pip install packages into the service's "
                        "environment")
    install.add_argument("packages", nargs="+", metavar="PACKAGE|PATH")
    install.add_argument("-U", "--upgrade", action="store_true",
                         help="upgrade packages to the latest version")
    install.add_argument("-e", "--editable", action="store_true",
                         help="install a project in editable mode")
    uninstall = commands.add_parser(
        "uninstall", help="pip uninstall distributions from the service's "
                          "environment")
    uninstall.add_argument("packages", nargs="+", metavar="DISTRIBUTION")
    uninstall.add_argument("-y", "--yes", action="store_true",
                           help="do not ask for confirmation")
    for parser in (install, uninstall):
        parser.add_argument(
            "--touch-reload", metavar="FILE",
            help="the file given to statsvc-api --touch-reload: touched "
                 "after pip, so that the workers reload")


def pip_args(args):
    """pip's arguments for parsed ``install``/``uninstall`` arguments."""
    if args.command == "install":
        flags = ["--upgrade"] * args.upgrade
        if args.editable:
            return ["install", *flags, *(
                arg for package in args.packages for arg in ("-e", package))]
        return ["install", *flags, *args.packages]
    return ["uninstall", *["-y"] * args.yes, *args.packages]
