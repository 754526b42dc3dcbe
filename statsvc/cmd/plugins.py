"""``statsvc-plugins``: list the installed plugins and whether they load.

    statsvc-plugins list [NAMESPACE] [--json]

Without NAMESPACE, every ``statsvc.*`` namespace is listed.  For each plugin:
namespace, name, target (``module:attr``), distribution and version, and
whether it loads, with the error when it does not.  A statistic loads only
if an instance of it passes :func:`statsvc.statistics.check_plugin`.  A name
registered by several distributions in one namespace is a conflict.  The
exit status is 1 if any plugin fails or conflicts.
"""
import argparse
import json
import sys

from statsvc import ext

#: Listed even when no plugin is installed in them.
NAMESPACES = ('statsvc.statistics', 'statsvc.storage')


def _check_statistic(plugin):
    # Imported here: only this namespace needs the statistics package.
    import statsvc.statistics
    statsvc.statistics.check_plugin(plugin())


CHECKS = {'statsvc.statistics': _check_statistic}


def plugin_rows(namespace):
    """One dict per entry point of ``namespace``, in discovery order."""
    errors = {}
    manager = ext.ExtensionManager(
        namespace,
        on_load_failure_callback=lambda _, ep, err: errors.setdefault(ep, err))
    plugins = {e.entry_point: e.plugin for e in manager}
    check = CHECKS.get(namespace)
    rows = []
    for ep in manager.list_entry_points():
        err = errors.get(ep)
        if err is None and check is not None:
            try:
                check(plugins[ep])
            except Exception as exc:
                err = exc
        dist = ep.dist
        rows.append({
            'namespace': namespace, 'name': ep.name, 'target': ep.value,
            'distribution': dist.name if dist else None,
            'version': dist.version if dist else None,
            'loads': err is None,
            'error': f'{type(err).__name__}: {err}' if err else None,
            'conflicts_with': [],
        })
    for row in rows:
        row['conflicts_with'] = [
            f"{other['distribution']} {other['version']} ({other['target']})"
            for other in rows
            if other is not row and other['name'] == row['name']]
    return rows


def _status(row):
    problems = []
    if not row['loads']:
        problems.append(f"FAILS: {row['error']}")
    if row['conflicts_with']:
        problems.append('CONFLICT with ' + ', '.join(row['conflicts_with']))
    return '; '.join(problems) or 'ok'


def _print_table(namespaces, rows):
    for namespace in namespaces:
        print(namespace)
        mine = [r for r in rows if r['namespace'] == namespace]
        if not mine:
            print('  (no plugins)')
        for r in mine:
            print(f"  {r['name']} = {r['target']}  "
                  f"[{r['distribution']} {r['version']}]  {_status(r)}")


def main(argv=None):
    """Entry point of the ``statsvc-plugins`` console script."""
    parser = argparse.ArgumentParser(
        prog='statsvc-plugins', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    listing = commands.add_parser(
        'list', help='list plugins and whether they load')
    listing.add_argument('namespace', nargs='?',
                         help='only this namespace (default: statsvc.*)')
    listing.add_argument('--json', action='store_true',
                         help='one JSON list of objects, for scripts')
    args = parser.parse_args(argv)

    if args.namespace:
        namespaces = [args.namespace]
    else:
        namespaces = sorted(set(NAMESPACES).union(
            n for n in ext.namespaces() if n.startswith('statsvc.')))
    rows = [row for namespace in namespaces for row in plugin_rows(namespace)]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        _print_table(namespaces, rows)
    return int(any(not r['loads'] or r['conflicts_with'] for r in rows))


if __name__ == '__main__':
    sys.exit(main())
