"""``statsvc-api``: run the API under uwsgi in the foreground."""
import argparse
import os
import shutil
import sys
import tempfile

import statsvc
from statsvc import config as config_module
from statsvc import native
from statsvc.api import telemetry


def uwsgi_options(host, port, workers, threads, max_body_size):
    """The uwsgi options statsvc runs with, as ``(name, value)`` pairs.

    ``etc/statsvc/uwsgi.ini`` holds the same defaults for operators who run
    uwsgi directly; a test keeps the two in step.
    """
    return [
        # Workers speak HTTP/1.1 with keep-alive themselves. bench/http.py
        # measured uwsgi's HTTP router 2-4x slower on large responses (and
        # a bigger router buffer makes it reset large POSTs); a bare
        # http-socket answers HTTP/1.1 but closes after each response. An
        # idle keep-alive client holds a worker thread until it closes or
        # stays silent for socket-timeout, hence several threads a worker.
        ("http11-socket", f"{host}:{port}"),
        # An offload thread writes large responses so the worker thread
        # can take the next request; TCP_NODELAY avoids delayed-ACK stalls.
        ("tcp-nodelay", "true"),
        ("offload-threads", "1"),
        ("module", "statsvc.wsgi:application"),
        ("master", "true"),
        ("processes", str(workers)),
        ("threads", str(threads)),
        # Each worker imports the app itself: no storage connection or
        # plugin state is shared across fork().
        ("lazy-apps", "true"),
        ("need-app", "true"),
        ("die-on-term", "true"),
        ("thunder-lock", "true"),
        ("harakiri", "60"),
        # A worker that does not stop within 5 s of shutdown is SIGKILLed
        # (uwsgi's default waits 60 s). Writes are transactions, so nothing
        # acknowledged is lost. Signal the master only (systemd:
        # KillMode=mixed): a SIGTERM to every worker at once can leave one
        # stuck on a lock that a dying sibling held.
        ("worker-reload-mercy", "5"),
        # The app answers bodies over max_body_size with a JSON 413; uwsgi
        # only cuts the connection, so its own cap sits above the app's, as
        # a last guard against unbounded uploads.
        ("limit-post", str(2 * max_body_size)),
        ("buffer-size", "65535"),
        ("post-buffering", "65536"),
        # statsvc logs one structured access line per request itself.
        ("disable-logging", "true"),
    ]


def _uwsgi_binary():
    """The uwsgi installed beside this Python, else the first on PATH."""
    local = os.path.join(os.path.dirname(sys.executable), "uwsgi")
    return local if os.access(local, os.X_OK) else shutil.which("uwsgi")


def installed_root():
    """The ``sys.path`` entry this ``statsvc`` was imported from."""
    return os.path.dirname(os.path.dirname(os.path.abspath(statsvc.__file__)))


def build_command(args, conf):
    binary = _uwsgi_binary()
    if binary is None:
        raise SystemExit("statsvc-api: uwsgi is not installed "
                         "(pip install uwsgi)")
    options = uwsgi_options(
        args.host or conf.get("api", "host"),
        args.port or conf.getint("api", "port"),
        args.workers or conf.getint("api", "workers"),
        args.threads or conf.getint("api", "threads"),
        conf.getint("api", "max_body_size"))
    if sys.prefix != sys.base_prefix:
        options.append(("virtualenv", sys.prefix))
    # uwsgi puts the working directory first on sys.path: started from a
    # clone of the sources, it would import that tree (without its compiled
    # extensions) instead of the package this launcher belongs to.
    options.append(("pythonpath", installed_root()))
    if args.touch_reload:
        options.append(("touch-reload", os.path.abspath(args.touch_reload)))
    command = [binary]
    for name, value in options:
        command += [f"--{name}"] if value == "true" else [f"--{name}", value]
    return command


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="statsvc-api", description="Run the statsvc API under uwsgi.")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8041)")
    parser.add_argument("--data-dir",
                        help="embedded storage directory (default "
                             "~/.local/share/statsvc)")
    parser.add_argument("--workers", type=int,
                        help="uwsgi worker processes (default: CPU count)")
    parser.add_argument("--threads", type=int,
                        help="threads per worker (default 8)")
    parser.add_argument("--config", help="statsvc.conf (or $STATSVC_CONFIG)")
    parser.add_argument("--touch-reload", metavar="FILE",
                        help="reload the workers when FILE is touched, e.g. "
                             "after installing a plugin")
    args = parser.parse_args(argv)
    if args.config:
        os.environ["STATSVC_CONFIG"] = os.path.abspath(args.config)
    if args.data_dir:
        os.environ["STATSVC_DATA_DIR"] = os.path.abspath(args.data_dir)
    try:
        conf = config_module.load()
    except config_module.ConfigError as e:
        raise SystemExit(f"statsvc-api: {e}")
    try:
        native.check_all()
    except native.ExtensionMissing as e:
        raise SystemExit(f"statsvc-api: {e}")
    command = build_command(args, conf)
    # glibc gives each thread its own malloc arena and keeps freed memory in
    # it: with 8 threads a worker stayed at ~170 MiB after serving large
    # responses. Two arenas bound that (bench/http.py prints RSS).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    # Every worker records its metrics here, so that /metrics, answered by
    # any one of them, sums them all; a fresh directory for each start.
    if not os.environ.get(telemetry.MULTIPROC_ENV):
        os.environ[telemetry.MULTIPROC_ENV] = tempfile.mkdtemp(
            prefix="statsvc-metrics-")
    sys.stdout.flush()
    os.execv(command[0], command)
