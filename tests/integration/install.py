"""Fresh clones and virtual environments, as a new user or an operator has.

A fresh clone is the work tree's tracked and unignored files, copied: what
``git clone`` gives (uncommitted edits included, so the tests see them),
without the compiled extensions and ``*.egg-info`` of the editable install
the suite runs from.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args, cwd, env=None, check=True, shell=False):
    """Run a command from ``cwd``, never from the checkout: ``python -c``
    and friends would import statsvc from the current directory."""
    command = args if shell else [str(a) for a in args]
    result = subprocess.run(command, cwd=cwd, env=env, shell=shell,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}:"
                    f"\n{result.stdout}\n{result.stderr}")
    return result


def fresh_clone(dest):
    """Copy what ``git clone`` of the work tree would hold into ``dest``."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others",
                  "--exclude-standard"], cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def copy_project(source, dest):
    """Copy a plugin project to build it elsewhere: pip builds in the
    source tree, which is not a test's to write into."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(
        "__pycache__", "*.egg-info", "build"))
    return dest


class Venv:
    """A virtual environment made with this Python's ``venv``."""

    def __init__(self, path):
        self.path = path
        self.bin = path / "bin"
        run([sys.executable, "-m", "venv", path], cwd=path.parent)

    def env(self, **extra):
        """The environment of a shell with this venv activated. An empty
        PYTHONPATH keeps the suite's own out."""
        return dict(os.environ, VIRTUAL_ENV=str(self.path), PYTHONPATH="",
                    PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                    **extra)

    def pip(self, *args):
        # pip keeps the caller's XDG_CACHE_HOME: its wheel cache has uWSGI.
        return run([self.bin / "python", "-m", "pip", *args,
                    "--disable-pip-version-check", "-q"], cwd=self.path)

    def uninstall(self, distribution):
        self.pip("uninstall", "-y", distribution)
