#!/usr/bin/env python3
"""Start-up time of statsvc.ext against stevedore, in whole fresh processes.

Builds (once) a folder of 500 installed distributions, 200 of which register
a plugin in ``bench.statistics`` (``../shared/bench/make_fake_dists.py``),
then times complete ``python -c`` processes that put the folder on
``PYTHONPATH`` and build an ``ExtensionManager`` for that namespace:

* cold: the implementation's entry point cache is deleted before each run;
* warm: the cache was written by a previous run;

each with and without ``invoke_on_load``, for statsvc.ext and stevedore,
interleaved so both see the same machine load.  Prints the median wall time
of each case and the ratio statsvc.ext / stevedore.

Keep the data directory out of /tmp: stevedore writes no cache there.

    python bench/ext.py [--data /work/benchdata/ext] [--repeat 15]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_FAKE_DISTS = os.path.join(HERE, '..', '..', 'shared', 'bench',
                               'make_fake_dists.py')
# Not statsvc.statistics: its real plugins would add numpy's import time,
# the same for both, to every run and hide the managers' own cost.
NAMESPACE = 'bench.statistics'

# What each timed process runs: build the manager, check it found them all.
SNIPPET = '''
from {module} import ExtensionManager
m = ExtensionManager({namespace!r}, invoke_on_load={invoke})
assert len(m.extensions) >= {count}, len(m.extensions)
'''

# Where each implementation keeps its cache, under $XDG_CACHE_HOME.
IMPLEMENTATIONS = {'statsvc.ext': 'statsvc', 'stevedore': 'python-entrypoints'}


def median(values):
    # Not the statistics module: bench/statistics.py shadows it here.
    values = sorted(values)
    middle = len(values) // 2
    return (values[middle] + values[~middle]) / 2


def make_dists(data, count, noise):
    dists = os.path.join(data, 'dists')
    stamp = os.path.join(data, f'made-{count}-{noise}-{NAMESPACE}')
    if not os.path.exists(stamp):
        shutil.rmtree(dists, ignore_errors=True)
        subprocess.run([sys.executable, MAKE_FAKE_DISTS, dists,
                        '--count', str(count), '--noise', str(noise),
                        '--namespace', NAMESPACE], check=True)
        open(stamp, 'w').close()
    return dists


def run_once(data, dists, module, invoke, count, cold):
    cache_home = os.path.join(data, 'cache', module)
    if cold:
        shutil.rmtree(os.path.join(cache_home, IMPLEMENTATIONS[module]),
                      ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=dists, XDG_CACHE_HOME=cache_home)
    env.pop('STATSVC_EXT_CACHE', None)
    # As installed packages are: with bytecode, written by the first run.
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    code = SNIPPET.format(module=module, namespace=NAMESPACE, invoke=invoke,
                          count=count)
    started = time.perf_counter()
    subprocess.run([sys.executable, '-c', code], env=env, cwd=data,
                   check=True)
    return time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default='/work/benchdata/ext',
                    help='where the distributions and caches go (not /tmp)')
    ap.add_argument('--repeat', type=int, default=15)
    ap.add_argument('--count', type=int, default=200)
    ap.add_argument('--noise', type=int, default=300)
    args = ap.parse_args()
    data = os.path.abspath(args.data)
    os.makedirs(data, exist_ok=True)
    dists = make_dists(data, args.count, args.noise)

    cases = [(state, invoke) for state in ('cold', 'warm')
             for invoke in (False, True)]
    times = {(m, s, i): [] for m in IMPLEMENTATIONS for s, i in cases}
    for m in IMPLEMENTATIONS:  # compile the plugins' bytecode, fill caches
        run_once(data, dists, m, True, args.count, cold=True)
    for _ in range(args.repeat):
        for state, invoke in cases:
            for m in IMPLEMENTATIONS:
                times[m, state, invoke].append(run_once(
                    data, dists, m, invoke, args.count, state == 'cold'))
    baseline = median(
        run_python(data) for _ in range(args.repeat))

    print(f'{args.count} plugins among {args.count + args.noise} '
          f'distributions, median of {args.repeat} whole processes '
          f'(bare "python -c pass": {baseline * 1000:.1f} ms)')
    print(f'{"case":<28}{"statsvc.ext":>13}{"stevedore":>12}{"ratio":>8}')
    for state, invoke in cases:
        ours, theirs = (median(times[m, state, invoke])
                        for m in IMPLEMENTATIONS)
        label = f'{state}, invoke_on_load={invoke}'
        print(f'{label:<28}{ours * 1000:>10.1f} ms{theirs * 1000:>9.1f} ms'
              f'{ours / theirs:>8.2f}')


def run_python(data):
    started = time.perf_counter()
    subprocess.run([sys.executable, '-c', 'pass'], cwd=data, check=True)
    return time.perf_counter() - started


if __name__ == '__main__':
    main()
