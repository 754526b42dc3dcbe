"""Run wrk (keep-alive, bounded) against one URL and parse its report."""
import re
import subprocess


def run(url, clients, duration, script=None, script_args=(), headers=()):
    """Return requests/s, p50/p99 latency (ms) and error counts."""
    cmd = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d",
           f"{duration}s", "--latency", "--timeout", "60s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=duration + 90).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "requests": int(re.search(r"(\d+) requests in", out)[1]),
            "non2xx": int(bad[1]) if bad else 0,
            "socket_errors": errors[1] if errors else "none",
            "p50": _latency_ms(out, "50"), "p99": _latency_ms(out, "99")}


def _latency_ms(out, percentile):
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)", out, re.M)
    return float(match[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]
