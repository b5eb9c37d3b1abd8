"""Every relative link of the Markdown docs (README.md, CONTRIBUTING.md, CHANGELOG.md, docs/*.md) resolves.

A link `[text](path)` or `[text](path#anchor)` must name a file or folder of the repository, and its
anchor a heading of that file, slugged the way GitHub does (lower case, punctuation dropped, spaces
to hyphens; a repeated heading gets `-1`, `-2`). Links with a scheme (`https:`, `mailto:`) are left
alone. Moving a section from one page to another breaks the links to it: this test names them.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target); the text may hold backticks, the target no spaces or parentheses.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def prose(text: str) -> str:
    """The text without its fenced code blocks (they hold no links)."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(line)
    return "\n".join(lines)


def slug(heading: str) -> str:
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    for line in prose(path.read_text()).splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if match:
            base = slug(match.group(1))
            seen = counts.get(base, 0)
            counts[base] = seen + 1
            found.add(base if not seen else f"{base}-{seen}")
    return found


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(prose(page.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(ROOT)}: ({target})"
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(f"{where} names no file of the repository")
        elif anchor and (not resolved.is_file() or anchor not in anchors(resolved)):
            broken.append(f"{where} names no heading of {resolved.relative_to(ROOT)}")
    return broken


def test_the_slug_is_githubs():
    assert slug("Where the old services' routes went") == "where-the-old-services-routes-went"
    assert slug("Switching it on: `DB_POOLER=pgbouncer`") == "switching-it-on-db_poolerpgbouncer"
    assert slug("Faults under load (`make faults`, 2026-12-01, this 2-core machine)") == (
        "faults-under-load-make-faults-2026-12-01-this-2-core-machine"
    )


def test_a_broken_link_and_a_missing_anchor_are_found(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "OTHER.md").write_text("# Other\n\n## Environment\n")
    page = tmp_path / "PAGE.md"
    page.write_text(
        "[ok](OTHER.md#environment) [ok](#here) [web](https://example.com/x#y)\n"
        "```sh\n[not a link](nowhere.md)\n```\n"
        "## Here\n[gone](MISSING.md) [no heading](OTHER.md#retention)\n"
    )

    assert broken_links(page) == [
        "PAGE.md: (MISSING.md) names no file of the repository",
        "PAGE.md: (OTHER.md#retention) names no heading of OTHER.md",
    ]


def test_every_relative_link_of_the_docs_resolves():
    broken = [problem for page in PAGES for problem in broken_links(page)]

    assert not broken, "\n".join(broken)
