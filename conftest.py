"""Root pytest configuration: files that are not tests although they match the collection globs."""
collect_ignore = ["docs/api.md", "docs/make_api.py", "notebooks/make_notebooks.py"]

# the runtime modules of the optional backends import their packages: no doctests without them
import importlib.util  # noqa: E402

for _package, _module in (("jax", "jax_runtime"), ("dask", "dask_runtime")):
    if importlib.util.find_spec(_package) is None:
        collect_ignore += [f"sympy_einstein/codegen/printers/{_module}.py", "docs/backends.md"]
