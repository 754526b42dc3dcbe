"""bench/storage.py for two installations side by side, interleaved.

Runs ``bench/storage.py --repeat 1`` alternately with each Python (e.g.
the virtual environment of a checkout of the previous commit, and this
one's), ``--rounds`` times, so that both see the same machine load; prints
the median of each figure and the ratio after/before (above 1 is better for
points/s, below 1 for ms).

Usage: python -P bench/storage_ab.py --before /path/to/old/.venv/bin/python
       [--after python] [--drivers sqlite,redis] [--rounds 5]
(``-P``, also given to the runs: bench/statistics.py would shadow the
stdlib module)
"""
import argparse
import pathlib
import re
import statistics
import subprocess
import sys

BENCH = pathlib.Path(__file__).with_name("storage.py")
LINE = re.compile(r"^\s+(.+?)\s+([\d,]+\.\d)$")


def run(python, driver, clock):
    """``{label: value}`` of one run of bench/storage.py."""
    command = [python, "-P", str(BENCH), "--repeat", "1", "--drivers", driver,
               "--clock", clock]
    out = subprocess.run(command, check=True, capture_output=True,
                         text=True).stdout
    return {m[1]: float(m[2].replace(",", ""))
            for m in map(LINE.match, out.splitlines()) if m}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default=sys.executable)
    parser.add_argument("--drivers", default="sqlite,redis")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="bench/storage.py's --clock")
    args = parser.parse_args()
    print("| driver | measure | before | after | after/before |")
    print("| --- | --- | ---: | ---: | ---: |")
    for driver in args.drivers.split(","):
        runs = {"before": [], "after": []}
        for _ in range(args.rounds):
            for side in runs:
                runs[side].append(run(getattr(args, side), driver,
                                      args.clock))
        for label in runs["after"][0]:
            before, after = (statistics.median(r[label] for r in runs[side])
                             for side in ("before", "after"))
            print(f"| {driver} | {label} | {before:,.1f} | {after:,.1f} |"
                  f" {after / before:.2f} |", flush=True)


if __name__ == "__main__":
    main()
