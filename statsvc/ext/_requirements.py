"""Check that a distribution's requirements are installed.

Only used with ``verify_requirements=True``, so the imports it needs
(importlib.metadata, packaging) are paid for only then.
"""
from .exception import MissingRequirements


def unmet(dist, extras=()):
    """Describe each requirement of ``dist`` that is not satisfied.

    Requirements whose environment marker is false here are skipped;
    ``extra == "x"`` markers count only for the ``extras`` the entry point
    asks for.  Returns ``[]`` when everything is installed.
    """
    import importlib.metadata
    try:
        from packaging.requirements import InvalidRequirement
        from packaging.requirements import Requirement
    except ImportError:
        raise MissingRequirements(
            "verify_requirements=True needs the 'packaging' library, "
            "which is not installed") from None
    environments = [{'extra': extra} for extra in extras] or [{'extra': ''}]
    problems = []
    for line in dist.requires or ():
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            problems.append(f'{line!r} (unreadable: {err})')
            continue
        if req.marker and not any(req.marker.evaluate(env)
                                  for env in environments):
            continue
        try:
            found = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f'{req} (not installed)')
            continue
        if not req.specifier.contains(found, prereleases=True):
            problems.append(f'{req} (found {req.name} {found})')
    return problems
