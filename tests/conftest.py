"""Suite-wide settings."""
import os

from hypothesis import settings

# CI runs the same examples every time (a CI failure is then reproducible
# and never random); developers' runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
