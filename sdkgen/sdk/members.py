"""Member names and array literals for the tensor task, per language, already escaped."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from sdkgen.sdk.naming import lower_camel


def member_names(
    names: Sequence[str], keywords: frozenset[str], reserved: Iterable[str] = (), renamed: frozenset[str] = frozenset()
) -> list[str]:
    """lowerCamel member names, unique in their scope; digit-led names get ``_``; names in ``renamed``
    (which even backticks cannot make usable, like Swift's ``self``) get a ``Value`` suffix; other keywords
    are backticked."""
    taken = set(reserved)
    out = []
    for i, raw in enumerate(names):
        name = lower_camel(raw) or f"value{i}"
        if name[0].isdigit():
            name = "_" + name
        if name in renamed:
            name += "Value"
        base, n = name, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        out.append(f"`{name}`" if name in keywords else name)
    return out


def float_literal(v: float, suffix: str, nan: str, inf: str) -> str:
    if math.isnan(v):
        return nan
    if math.isinf(v):
        return inf if v > 0 else "-" + inf
    text = repr(float(v))
    return text + suffix
