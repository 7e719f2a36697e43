"""docs/architecture.md names every module of the package, so the file list and the page agree."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_architecture_page_names_every_module() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "sim").rglob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if f"`{m}`" not in page]
    assert not missing, f"docs/architecture.md does not describe: {missing}"
    named = {line.split("`")[1] for line in page.splitlines() if line.startswith("| `sim/")}
    stale = sorted(n for n in named if not (ROOT / n).exists())
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"
