import setuptools

# The kernels in C (each file's header says why): the rest of the project
# is in setup.cfg, which cannot declare extension modules.
setuptools.setup(ext_modules=[
    setuptools.Extension(module, [module.replace(".", "/") + ".c"],
                         depends=["statsvc_plugins/_edges.h",
                                  "statsvc_plugins/_feed.h",
                                  "statsvc_plugins/_heaps.h"],
                         # sqrt() need not set errno: a NaN says enough,
                         # and the check stalls the loops that take roots.
                         extra_compile_args=["-fno-math-errno"],
                         libraries=["m"])
    for module in ("statsvc_plugins._quantile", "statsvc_plugins._moments",
                   "statsvc_plugins._regression", "statsvc_plugins._smoothing",
                   "statsvc_plugins._robust",
                   "statsvc_plugins._duration_kernels",
                   "statsvc_plugins._duration_quantiles",
                   "statsvc.api._triples")])
