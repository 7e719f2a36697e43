"""The HTML kit of the self-contained reports: titled sections, escaped paragraphs, lists and
tables, embedded PNG figures, a small Markdown subset and the whole document with its inline
style sheet (no external resource: the file can be mailed or archived as it is).

Used by every command that writes an HTML report (:mod:`sim.faces.report`, ``sim.staff``,
``sim.schedule``, ``sim.calibrate``); the words are the caller's.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.faces.i18n import _, current

__all__ = ["Section", "bullets", "esc", "frame_html", "image", "markdown_html", "paragraph", "render", "table_html"]



@dataclass(frozen=True)
class Section:
    """A titled block of HTML (``body`` is HTML already escaped where needed)."""

    title: str
    body: str
    anchor: str = ""


def esc(text: Any) -> str:
    """HTML-escape any value."""
    return html.escape(str(text), quote=True)


def paragraph(text: str) -> str:
    """One escaped paragraph."""
    return f"<p>{esc(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An escaped bullet list."""
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None, raw: bool = False) -> str:
    """A table; cells are escaped unless ``raw`` (then they must be safe HTML)."""
    cell = (lambda x: str(x)) if raw else esc
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def frame_html(frame: pd.DataFrame, caption: str | None = None, max_rows: int = 400) -> str:
    """A DataFrame as an escaped table (floats with 4 significant digits)."""
    def show(v: Any) -> str:
        if isinstance(v, float):
            return "–" if pd.isna(v) else f"{v:.4g}"
        return "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)

    rows = [[show(v) for v in r] for r in frame.head(max_rows).itertuples(index=False)]
    return table_html([str(c) for c in frame.columns], rows, caption)


def image(path: Path | str, alt: str) -> str:
    """A PNG embedded as base64 (no file reference)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}"><figcaption>{esc(alt)}</figcaption></figure>'


def markdown_html(md: str) -> str:
    """A small Markdown subset (``#`` headings, ``-`` bullets, ``**bold**``, paragraphs)."""
    out: list[str] = []
    items: list[str] = []
    para: list[str] = []

    def inline(text: str) -> str:
        text = esc(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in md.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif s.startswith("#"):
            flush()
            level = min(4, len(s) - len(s.lstrip("#")) + 1)
            out.append(f"<h{level}>{inline(s.lstrip('#').strip())}</h{level}>")
        elif s.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(s[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + s
        else:
            para.append(s)
    flush()
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1d2430;background:#fff}
main{max-width:1180px;margin:0 auto;padding:1.5rem 2rem 4rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:2px solid #e3e7ee;padding-bottom:.3rem;margin-top:2.2rem}
h3{font-size:1.08rem;margin-top:1.4rem}.sub{color:#5b6577;margin:.2rem 0 1rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #d9dee7;padding:.28rem .5rem;text-align:left;vertical-align:top}th{background:#f2f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}
.meets{color:#1a7f37;font-weight:600}.misses{color:#c62828;font-weight:600}.uncertain{color:#9a6700;font-weight:600}
.better,.saves{color:#1a7f37}.worse,.costs{color:#c62828}.small{font-size:.8rem;color:#5b6577}
figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #e3e7ee}figcaption{font-size:.82rem;color:#5b6577}
nav ul{columns:2;font-size:.9rem}code{background:#f2f4f8;padding:0 .2rem;border-radius:3px}
.box{background:#f7f9fc;border-left:4px solid #3d6fb6;padding:.6rem 1rem;margin:1rem 0}
"""


def render(title: str, sections: Sequence[Section], subtitle: str = "") -> str:
    """The whole HTML document: inline style, a table of contents, the sections."""
    anchors = [s.anchor or f"s{i}" for i, s in enumerate(sections, 1)]
    toc = "".join(f'<li><a href="#{a}">{esc(s.title)}</a></li>' for a, s in zip(anchors, sections, strict=True))
    body = "".join(f'<section id="{a}"><h2>{esc(s.title)}</h2>{s.body}</section>' for a, s in zip(anchors, sections, strict=True))
    generated = _("generated")
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        f"<!DOCTYPE html>\n<html lang=\"{current()}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)} · {esc(generated)} {stamp}</p>"
        f"<nav><ul>{toc}</ul></nav>{body}</main></body></html>\n"
    )


