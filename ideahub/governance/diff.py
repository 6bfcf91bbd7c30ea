"""What changed between two texts, word by word, as escaped HTML with <ins> and <del>."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|[\w]+|[^\w\s]", re.UNICODE)


def _tokens(text: str) -> list[str]:
    # Chinese has no spaces: \w+ would make a whole sentence one token, so split CJK by character.
    out: list[str] = []
    for t in _TOKENS.findall(text):
        if any("\u3400" <= ch <= "\u9fff" for ch in t):
            out.extend(t)
        else:
            out.append(t)
    return out


def diff_html(old: str, new: str) -> Markup:
    a, b = _tokens(old), _tokens(new)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(a[i1:i2]))))
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece escaped above


def has_changes(old: str, new: str) -> bool:
    return old != new
