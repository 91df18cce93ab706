"""The public API: every exported name is documented with an example, and docs/api.md is current."""
import importlib.util
import inspect
import pathlib

import pytest

import sympy_einstein as se

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", sorted(se.__all__))
def test_public_name_has_docstring_with_example(name):
    obj = getattr(se, name)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"se.{name} has no docstring"
    assert ">>>" in doc, f"the docstring of se.{name} has no example"


def test_all_names_exist():
    missing = [name for name in se.__all__ if not hasattr(se, name)]
    assert not missing


def test_api_reference_is_current():
    spec = importlib.util.spec_from_file_location("make_api", DOCS / "make_api.py")
    make_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_api)
    assert (DOCS / "api.md").read_text() == make_api.render(), "run: python docs/make_api.py"
