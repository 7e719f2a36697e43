"""Every command and snippet of README.md and docs/*.md runs, so that the docs cannot go stale.

The convention (TEAM.md, kept here as the reference):

* A fenced ```` ```sh ```` block is run line by line (a line ending in ``\\`` continues on
  the next; blank lines and ``#`` comment lines are skipped) with bash, from a scratch copy of
  the repository root, and every line must exit 0.
* The ```` ```python ```` blocks of one file run in order in one shared namespace.
* ```` ```text ```` blocks (output samples) and blocks of any other language are not run.
* An HTML comment on the line right before a block (blank lines between are allowed) changes
  how it runs:

  - ``<!-- docs-test: append: ARGS -->`` appends ``ARGS`` to each ``python -m sim…`` and
    ``python experiments/…`` line of the block (before a trailing ``# comment``), to shorten
    a heavy command, e.g. ``run.end=2026-12-02 montecarlo.replications=2`` or ``--reps 2``;
    a ``make X`` line gets them as ``ARGS="…"``;
  - ``<!-- docs-test: skip: REASON -->`` does not run the block (a server, a cluster, a
    command that runs this very suite); the reason is shown as the skip reason.

The sh blocks of all files start together on two threads (each file's blocks in order), the
python blocks run in this process meanwhile; a test per block reports its result.

Where the outputs go: every file's blocks run in their own scratch folder, a temporary
directory holding symbolic links to the repository's ``sim``, ``scenarios``,
``experiments``, ``notebooks``, ``benchmarks``, ``tests``, ``Makefile`` and
``pyproject.toml``. Commands run there, so their relative outputs (``outputs/``,
``multirun/``, files a snippet writes) land in the scratch folder and the repository stays
clean, while the commands read exactly what the docs say (``scenarios/…``). ``python`` is
this interpreter (a shim first on ``PATH``), ``PYTHONPATH`` is the repository, and ``make``
runs with ``PY=<this interpreter>`` without (re)installing ``.venv``.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKED = ("sim", "scenarios", "experiments", "notebooks", "benchmarks", "tests", "Makefile", "pyproject.toml")
DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(append|skip)\s*:\s*(.*?)\s*-->")
RUNNABLE = ("sh", "python")
LINE_TIMEOUT_S = 600


@dataclass(frozen=True)
class Block:
    """One fenced block: its file, first line number, language, text and directive."""

    path: Path
    line: int
    lang: str
    text: str
    append: str = ""
    skip: str | None = None

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}:{self.lang}"


def blocks(path: Path) -> Iterator[Block]:
    """The runnable blocks of a Markdown file, in order, with the directive right before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^(\s*)```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        lang, start = fence.group(2), i
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        m = DIRECTIVE.search(lines[k]) if k >= 0 else None
        if lang in RUNNABLE:
            indent = len(fence.group(1))
            body = "\n".join(ln[indent:] for ln in lines[start + 1 : j])
            yield Block(path, start + 1, lang, body,
                        append=m.group(2) if m and m.group(1) == "append" else "",
                        skip=m.group(2) if m and m.group(1) == "skip" else None)
        i = j + 1


def sh_commands(text: str) -> list[str]:
    """The commands of an sh block: continuation lines joined, comments and blanks dropped."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        line = (pending + line.strip()).strip()
        pending = ""
        if line and not line.startswith("#"):
            out.append(line)
    return out


def split_comment(command: str) -> tuple[str, str]:
    """``command # comment`` -> (command, ``# comment``); a ``#`` inside quotes is kept."""
    quote = None
    for i, ch in enumerate(command):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or command[i - 1].isspace()):
            return command[:i].rstrip(), command[i:]
    return command, ""


SHORTENED = re.compile(r"^python\s+(-m\s+sim(\.\w+)?\b|experiments/)")


def with_append(command: str, append: str) -> str:
    """``command`` with ``append`` added, if it is a ``python -m sim…`` or experiment line."""
    cmd, _comment = split_comment(command)
    if append and SHORTENED.match(cmd):
        return f"{cmd} {append}"
    if append and re.match(r"^make\s+\w", cmd) and "ARGS=" not in cmd:
        return f"{cmd} ARGS={shlex.quote(append)}"
    return cmd


def test_the_parser_reads_the_convention(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text("a\n<!-- docs-test: append: run.end=2026-12-02 -->\n\n```sh\npython -m sim.mc a=1 \\\n   b=2  # c\n"
                  "# a comment\nls '#x'\n```\n<!-- docs-test: skip: a server -->\n```python\nx = 1\n```\n"
                  "```text\nnot run\n```\n```python\ny = 2\n```\n", encoding="utf-8")
    found = list(blocks(md))
    assert [(b.lang, b.append, b.skip) for b in found] == [("sh", "run.end=2026-12-02", None), ("python", "", "a server"),
                                                            ("python", "", None)]
    assert sh_commands(found[0].text) == ["python -m sim.mc a=1 b=2  # c", "ls '#x'"]
    assert [with_append(c, found[0].append) for c in sh_commands(found[0].text)] == [
        "python -m sim.mc a=1 b=2 run.end=2026-12-02", "ls '#x'"]


ALL = [b for p in DOCS for b in blocks(p)]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Per docs file: a scratch folder that looks like the repository root (see the docstring)."""
    made: dict[Path, Path] = {}
    shims = tmp_path_factory.mktemp("bin")
    for name in ("python", "python3"):  # a script, not a symlink: a venv's python finds its venv by its own path
        (shims / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
        (shims / name).chmod(0o755)
    for path in DOCS:
        d = tmp_path_factory.mktemp(path.stem)
        for name in LINKED:
            if (ROOT / name).exists():
                (d / name).symlink_to(ROOT / name)
        made[path] = d
    made[Path("bin")] = shims
    return made


def _env(shims: Path, home: Path) -> dict[str, str]:
    drop = ("HYDRA_FULL_ERROR", "SIM_SCENARIOS", "DASK_SCHEDULER_ADDRESS", "PYTHONSTARTUP")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    tools = Path(sys.executable).parent  # jupytext, dask, … of this environment
    env.update(PATH=f"{shims}{os.pathsep}{tools}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT), MPLBACKEND="Agg",
               MPLCONFIGDIR=str(home / ".mpl"))
    return env


def _make(command: str) -> str:
    """``make X`` without (re)installing .venv: this interpreter, the install stamp taken as done."""
    if re.match(r"^make(\s|$)", command):
        return command.replace("make", f"make -o .venv/.installed PY={sys.executable}", 1)
    return command


@dataclass
class ShResult:
    """How the lines of one sh block ran: the first failing line, if any, and its output."""

    failed: str | None = None
    output: str = ""


# A warm process that forks one child per ``python …`` line: the child starts with numpy,
# pandas, pyarrow, matplotlib, hydra and sim already imported (about 2 of the 3 CPU seconds
# of a short command), then runs the module or script as ``python`` would. Lines with shell
# syntax (``&&``, globs, ``$``) and every other command go to bash.
ZYGOTE = r"""
import json, os, runpy, sys, traceback
import matplotlib
matplotlib.use("Agg")
import numpy, pandas, pyarrow.parquet, scipy.stats, simpy, hydra, omegaconf, pydantic
import matplotlib.pyplot
import sim, sim.model.simulate, sim.analysis.kpis, sim.study.compare, sim.study.search, sim.faces.output, sim.faces.report

def child(req):
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    for fd, name in ((1, "out"), (2, "err")):
        os.dup2(os.open(req[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
    sys.stdin = open(os.devnull)
    argv, code = req["argv"], 0
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            sys.path.insert(0, req["cwd"])
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(argv)
            sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(req)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"{os.waitstatus_to_exitcode(status)}\n")
    sys.stdout.flush()
"""
SHELL_SYNTAX = re.compile(r"[&|;<>*?$`~]")


class Zygote:
    """One warm process per thread (see :data:`ZYGOTE`)."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)

    def run(self, argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        out, err = cwd / ".docs-test.out", cwd / ".docs-test.err"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)}) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], LINE_TIMEOUT_S)
        if not ready:  # a hung command: end the zygote and its children (one session)
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise subprocess.TimeoutExpired(argv, LINE_TIMEOUT_S)
        code = int(self.proc.stdout.readline() or 1)
        return subprocess.CompletedProcess(argv, code, out.read_text(errors="replace"), err.read_text(errors="replace"))

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def _python_argv(line: str) -> list[str] | None:
    """The interpreter arguments of a plain ``python …`` line (None: leave it to bash)."""
    if SHELL_SYNTAX.search(line):
        return None
    try:
        argv = shlex.split(line)
    except ValueError:
        return None
    return argv[1:] if len(argv) > 1 and argv[0] in ("python", "python3") else None


def _run_sh_blocks(path: Path, cwd: Path, shims: Path) -> dict[int, ShResult]:
    """Every sh block of one file, in order (a later block may use an earlier one's outputs)."""
    env = _env(shims, cwd)
    results: dict[int, ShResult] = {}
    zygote = Zygote(cwd, env)
    try:
        for block in blocks(path):
            if block.lang != "sh" or block.skip is not None:
                continue
            res = results[block.line] = ShResult()
            for command in sh_commands(block.text):
                line = _make(with_append(command, block.append))
                argv = _python_argv(line)
                try:
                    done = zygote.run(argv, cwd, env) if argv else subprocess.run(
                        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=LINE_TIMEOUT_S, check=False)
                except subprocess.TimeoutExpired:
                    res.failed, res.output = line, f"timed out after {LINE_TIMEOUT_S} s"
                    break
                if done.returncode != 0 or "Traceback" in done.stderr:
                    res.failed = line
                    res.output = f"exit {done.returncode}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-3000:]}"
                    break
    finally:
        zygote.close()
    return results


@pytest.fixture(scope="module")
def sh_runs(scratch: dict[Path, Path]) -> dict[Path, Future[dict[int, ShResult]]]:
    """The sh blocks of all files, started at once on two threads (one file after another
    on each), so that the commands of different files overlap on the two cores."""
    pool = ThreadPoolExecutor(max_workers=2)
    ordered = sorted(DOCS, key=lambda p: -sum(len(sh_commands(b.text)) for b in blocks(p) if b.lang == "sh"))
    futures = {p: pool.submit(_run_sh_blocks, p, scratch[p], scratch[Path("bin")]) for p in ordered}
    yield futures
    pool.shutdown(wait=True)


_NAMESPACES: dict[Path, dict] = {}


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_docs_block_runs(block: Block, scratch: dict[Path, Path], sh_runs: dict[Path, Future[dict[int, ShResult]]],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    if block.skip is not None:
        pytest.skip(block.skip)
    cwd = scratch[block.path]
    if block.lang == "sh":
        res = sh_runs[block.path].result()[block.line]
        assert res.failed is None, f"{block.id}: `{res.failed}` failed: {res.output}"
        return
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(cwd)
    namespace = _NAMESPACES.setdefault(block.path, {"__name__": "__docs__"})
    code = compile(block.text, f"{block.id}", "exec")
    exec(code, namespace)  # noqa: S102 - the docs' own snippets
