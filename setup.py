import setuptools

# The kernels in C (see their headers for why): the rest of the project is
# in setup.cfg, which cannot declare extension modules.
setuptools.setup(ext_modules=[
    setuptools.Extension(f"statsvc_plugins.{name}",
                         [f"statsvc_plugins/{name}.c"], libraries=["m"])
    for name in ("_quantile", "_moments")])
