"""The links between README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md lead somewhere: every relative link
names a file of the repository and, with a ``#fragment``, a heading of that file (GitHub's anchors)."""

from __future__ import annotations

import re
from pathlib import Path

from .._support import REPO, doc_files

_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (?P<title>.+)$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for match in _HEADING.finditer(_FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", match["title"].strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_anchors_follow_githubs_rule() -> None:
    assert anchors("## The `callbot` command\n### What a run leaves in `reports/`\n") == {
        "the-callbot-command",
        "what-a-run-leaves-in-reports",
    }


def test_every_relative_link_and_anchor_of_the_docs_resolves() -> None:
    broken = []
    for file in [*doc_files(), REPO / "CHANGELOG.md"]:
        text = file.read_text(encoding="utf-8")
        for match in _LINK.finditer(_FENCE.sub("", text)):
            target = match["target"]
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, fragment = target.partition("#")
            linked = (file.parent / path).resolve() if path else file
            where = f"{file.relative_to(REPO)}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(Path(linked).read_text("utf-8")):
                broken.append(f"{where} (no such heading)")
    assert not broken, broken
