from __future__ import annotations

import pytest

from sdkgen.errors import UnknownNameError
from sdkgen.registry import Registry


def test_get_unknown_lists_names_and_suggests() -> None:
    r: Registry[int] = Registry("widget")
    r.add("alpha", 1)
    r.add("beta", 2)
    assert r.get("beta") == 2
    with pytest.raises(UnknownNameError) as e:
        r.get("alpah")
    assert e.value.choices == ["alpha", "beta"]
    assert e.value.hint == "did you mean 'alpha'?"
    assert "unknown widget 'alpah'" in str(e.value)


def test_duplicate_registration_is_an_error() -> None:
    r: Registry[int] = Registry("widget")
    r.add("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        r.add("a", 2)
    r.add("a", 3, override=True)
    assert r.get("a") == 3
