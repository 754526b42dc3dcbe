import setuptools

# The moving quantile's two heaps, in C: the rest of the project is in
# setup.cfg, which cannot declare extension modules.
setuptools.setup(ext_modules=[
    setuptools.Extension("statsvc_plugins._quantile",
                         ["statsvc_plugins/_quantile.c"])])
