"""Every file the code, the help and the documents point to is in the repository: a clone
has all it needs to read them (docs/, fixtures/, tests/data/), and nothing cites a document
that only exists on the machine the project was written on. The documents' dotted names
(``provenance.pipeline.align_links``) import, and the contributor's map (docs/architecture.md)
lists every module and states every import contract."""

from __future__ import annotations

import importlib
import io
import re
import tokenize
import tomllib
from pathlib import Path

import typer.main

from provenance.cli import app
from tests.conftest import ROOT

SCANNED = [
    *sorted((ROOT / "provenance").rglob("*")),
    *sorted((ROOT / "tui").rglob("*")),
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
SUFFIXES = {".py", ".md", ".toml", ".tcss", ".html", ".json"}
MARKDOWN = re.compile(r"(?<![\w/.-])((?:\.\./)*[\w./-]*\w\.md)(?:#([\w-]+))?\b")
TREE_PATH = re.compile(r"(?<![\w/.:-])((?:fixtures|tests|docs|bench|provenance|tui)/[\w./-]*)")
LINK = re.compile(r"\]\(([^)#\s]+\.md)#([^)\s]+)\)")
DOTTED = re.compile(r"`((?:provenance|tui)(?:\.\w+)+)(?:\([^`]*\))?`")
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _texts(path: Path) -> list[str]:
    """What a reader sees of a file: for Python, its strings and comments (docstrings and help
    text), not its code (``ReportFormat.md`` is an enum member, not a document)."""
    text = path.read_text("utf-8")
    if path.suffix != ".py":
        return [text]
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [t.string for t in tokens if t.type in (tokenize.STRING, tokenize.COMMENT)]


def _files() -> list[Path]:
    return [
        p for p in SCANNED
        if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts
    ]  # fmt: skip


def _repo_names() -> set[str]:
    skip = {".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
    return {p.name for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)}


def _resolves(ref: str, where: Path, names: set[str]) -> bool:
    """A path resolves from the repository's root or from the citing file's folder; a bare
    file name (``report.md``) resolves when the repository has a file of that name."""
    ref = ref.rstrip(".,")
    if "/" not in ref.rstrip("/"):
        return ref.rstrip("/") in names or (ROOT / ref).exists()
    inside = [(ROOT / ref).resolve(), (where.parent / ref).resolve()]
    return any(p.exists() and p.is_relative_to(ROOT) for p in inside)


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", path.read_text("utf-8"), flags=re.M)
    return {_slug(h.replace("`", "")) for h in headings}


def test_every_cited_file_is_in_the_repository() -> None:
    names = _repo_names()
    missing = []
    for path in _files():
        for text in _texts(path):
            refs = [m.group(1) for m in MARKDOWN.finditer(text)]
            refs += [m.group(1) for m in TREE_PATH.finditer(text)]
            missing += [
                f"{path.relative_to(ROOT)}: {ref}"
                for ref in refs
                if not _resolves(ref, path, names)
            ]
    assert not missing, "cited but not in the repository:\n" + "\n".join(missing)


def test_markdown_links_land_on_a_heading() -> None:
    broken = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target, anchor in LINK.findall(path.read_text("utf-8")):
            document = (path.parent / target).resolve()
            if not document.exists() or anchor not in _anchors(document):
                broken.append(f"{path.relative_to(ROOT)}: {target}#{anchor}")
    assert not broken, broken


def test_the_documents_cited_by_the_code_are_the_ones_in_docs() -> None:
    cited = set()
    for path in _files():
        if path.suffix == ".py":
            for text in _texts(path):
                cited |= {m.group(1) for m in MARKDOWN.finditer(text)}
    assert {"docs/design.md", "docs/formats.md"} <= cited
    assert not {"DESIGN.md", "FORMATS.md"} & cited


def test_help_examples_name_files_that_exist() -> None:
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        example = (command.help or "").split("Example:", 1)[-1]
        example = re.sub(r"\S+://\S+", "", example)  # URLs and database URLs are not files
        for ref in re.findall(r"(?<![\w/.:@-])([\w.-]+(?:/[\w.-]*)+)", example):
            assert (ROOT / ref).exists(), f"provenance {name} help: {ref} is not in the repository"


def _importable(dotted: str) -> bool:
    """A dotted name as a reader would use it: the longest prefix that imports as a module,
    then attributes (``provenance.review.Review.undo``)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_dotted_name_in_the_documents_can_be_imported() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for name in sorted(set(DOTTED.findall(path.read_text("utf-8"))))
        if not _importable(name)
    ]
    assert not wrong, "named in a document but not in the code:\n" + "\n".join(wrong)


def _mapped_files() -> list[str]:
    """The files a contributor may have to change: modules, data, templates and styles (not
    package markers, nor the migrations, which the map names as one folder)."""
    found = []
    for top in ("provenance", "tui"):
        for path in sorted((ROOT / top).rglob("*")):
            parts = path.relative_to(ROOT).parts
            if not path.is_file() or "__pycache__" in parts or "migrations" in parts:
                continue
            if path.name not in {"__init__.py", "py.typed"}:
                found.append(path.relative_to(ROOT).as_posix())
    return found


def test_the_architecture_map_names_every_module() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    missing = [path for path in _mapped_files() if f"`{path}`" not in text]
    assert not missing, "add a line to docs/architecture.md for:\n" + "\n".join(missing)


def test_the_architecture_map_states_every_import_contract() -> None:
    """The layers and rules the map describes are the ones lint-imports enforces: each
    contract by its name, and each module of the layers contract."""
    text = " ".join(ARCHITECTURE.read_text("utf-8").split())
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    missing = [c["name"] for c in contracts if " ".join(c["name"].split()) not in text]
    for contract in (c for c in contracts if c["type"] == "layers"):
        for layer in contract["layers"]:
            modules = re.split(r"[:|]", layer)
            missing += [m.strip() for m in modules if f"`{m.strip()}`" not in text]
    assert not missing, "docs/architecture.md does not state:\n" + "\n".join(missing)
