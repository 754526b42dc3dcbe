"""``statsvc-plugins``: list the installed plugins and whether they load;
install and uninstall them (:mod:`statsvc.cmd.plugins_install`).

    statsvc-plugins list [NAMESPACE] [--json] [--config FILE]
    statsvc-plugins install [-U] [-e] [--touch-reload FILE] PACKAGE|PATH...
    statsvc-plugins uninstall [-y] [--touch-reload FILE] DISTRIBUTION...

Without NAMESPACE, every ``statsvc.*`` namespace is listed.  For each plugin:
namespace, name, target (``module:attr``), distribution and version, and
whether it loads, with the error when it does not.  A statistic loads only
if an instance of it passes :func:`statsvc.statistics.check_plugin`.  A name
registered by several distributions in one namespace is a conflict.

The service configuration (``--config`` or ``$STATSVC_CONFIG``) is honoured
as the service honours it: a statistic turned off by ``[statistics] enabled``
or ``disabled`` is listed as disabled and, like in the service, not even
imported.  The exit status is 1 if any plugin that is not disabled fails or
conflicts.
"""
import argparse
import json
import sys

from statsvc import config, ext
from statsvc.api import statistics_registry
from statsvc.cmd import plugins_install
from statsvc.statistics import check_plugin

#: Listed even when no plugin is installed in them.
NAMESPACES = ('statsvc.statistics', 'statsvc.storage')


def _check_statistic(plugin):
    check_plugin(plugin())


CHECKS = {statistics_registry.NAMESPACE: _check_statistic}


def plugin_rows(namespace, selected=None):
    """One dict per entry point of ``namespace``, in discovery order.

    :param selected: the names to load, if not all; the others are listed
        with ``enabled`` false and ``loads`` ``None``, and never imported.
        Entry points whose extras are not installed are listed with
        ``unavailable`` (what is missing) and ``loads`` ``None``, and
        never imported either.
    """
    errors = {}

    def on_load_failure(_, ep, err):
        errors.setdefault(ep, err)

    everything = ext.NamedExtensionManager(namespace,
                                           names=()).list_entry_points()
    unmet = {ep.name: ext.unmet_requirements(ep)
             for ep in everything if ep.extras}
    unmet = {name: problems for name, problems in unmet.items() if problems}
    if selected is None and not unmet:
        manager = ext.ExtensionManager(
            namespace, on_load_failure_callback=on_load_failure)
    else:
        wanted = [ep.name for ep in everything
                  if (selected is None or ep.name in selected)
                  and ep.name not in unmet]
        manager = ext.NamedExtensionManager(
            namespace, names=wanted,
            on_load_failure_callback=on_load_failure,
            warn_on_missing_entrypoint=False)
    plugins = {e.entry_point: e.plugin for e in manager}
    check = CHECKS.get(namespace)
    rows = []
    for ep in manager.list_entry_points():
        enabled = selected is None or ep.name in selected
        usable = enabled and ep.name not in unmet
        err = errors.get(ep)
        if err is None and check is not None and usable:
            try:
                check(plugins[ep])
            except Exception as exc:
                err = exc
        dist = ep.dist
        rows.append({
            'namespace': namespace, 'name': ep.name, 'target': ep.value,
            'distribution': dist.name if dist else None,
            'version': dist.version if dist else None,
            'enabled': enabled,
            'unavailable': unmet.get(ep.name) if enabled else None,
            'loads': err is None if usable else None,
            'error': f'{type(err).__name__}: {err}' if err else None,
            'conflicts_with': [],
        })
    for row in rows:
        row['conflicts_with'] = [
            f"{other['distribution']} {other['version']} ({other['target']})"
            for other in rows
            if other is not row and other['name'] == row['name']]
    return rows


def configured_selection(conf):
    """``{namespace: names the service loads}`` under configuration ``conf``,
    for the namespaces the configuration restricts."""
    return {statistics_registry.NAMESPACE: statistics_registry.select(
        statistics_registry.installed_names(),
        conf.getlist('statistics', 'enabled'),
        conf.getlist('statistics', 'disabled'))}


def _failing(row):
    """Whether ``row`` is a problem for the service: disabled and
    unavailable ones are not."""
    return row['enabled'] and not row['unavailable'] and (
        not row['loads'] or row['conflicts_with'])


def _status(row):
    if not row['enabled']:
        return 'disabled by configuration'
    if row['unavailable']:
        return 'unavailable: needs ' + '; '.join(row['unavailable'])
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
    listing.add_argument('--config', metavar='FILE',
                         help='the service configuration (default: '
                              '$STATSVC_CONFIG, else none)')
    plugins_install.add_commands(commands)
    args = parser.parse_args(argv)
    if args.command != 'list':
        return plugins_install.run(plugins_install.pip_args(args),
                                   args.touch_reload)
    try:
        selection = configured_selection(config.load(args.config))
    except config.ConfigError as e:
        raise SystemExit(f'statsvc-plugins: {e}')

    if args.namespace:
        namespaces = [args.namespace]
    else:
        namespaces = sorted(set(NAMESPACES).union(
            n for n in ext.namespaces() if n.startswith('statsvc.')))
    rows = [row for namespace in namespaces
            for row in plugin_rows(namespace, selection.get(namespace))]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        _print_table(namespaces, rows)
    return int(any(map(_failing, rows)))


if __name__ == '__main__':
    sys.exit(main())
