"""Root pytest configuration: files that are not tests although they match the collection globs."""
collect_ignore = ["docs/api.md", "docs/make_api.py", "notebooks/make_notebooks.py"]
