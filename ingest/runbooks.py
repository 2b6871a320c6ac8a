"""The runbook collector: Markdown and text files under a directory, with the vSphere-only
vocabulary each one uses. Which source objects a runbook names is worked out in the graph
(``cypher/derive/runbook_references.cypher``), where the object names are.

A runbook counts as translated for the target when its YAML front matter says so::

    ---
    translated: true
    target_platform: Proxmox VE
    ---

Entry point: :func:`open_runbooks` with :class:`RunbookOptions`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.records.contract import CollectorBase, GapSink, Sink, SourceError, SourceIdentity
from app.records.runbooks import RunbookRecord

SUFFIXES = (".md", ".markdown", ".txt", ".rst")
MAX_BYTES = 2_000_000

VOCABULARY: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("vCenter", r"\bvcenter\b"),
        ("vSphere", r"\bvsphere\b"),
        ("ESXi", r"\besxi?\b"),
        ("vMotion", r"\b(storage\s+)?vmotion\b"),
        ("DRS", r"\bs?drs\b"),
        ("esxcli", r"\besxcli\b"),
        ("vim-cmd", r"\bvim-cmd\b"),
        ("vmkfstools", r"\bvmkfstools\b"),
        (
            "PowerCLI",
            r"\bpowercli\b|\b(connect|disconnect)-viserver\b|"
            r"\b(get|set|new|remove|move|start|stop|restart)-(vm|vmhost|cluster|datastore|"
            r"vdportgroup|vdswitch|virtualportgroup|resourcepool|folder|snapshot|"
            r"harddisk|networkadapter|tag|tagassignment|vipermission|virole|"
            r"drsrule|spbmstoragepolicy)\b",
        ),
        ("dvPortgroup", r"\bdv-?port-?groups?\b|\bdvswitch\b|\bvds\b|\bdistributed\s+port\s*group"),
        ("datastore path", r"\[[^\]\n]{1,80}\]\s*[\w./-]+\.(vmx|vmdk|iso|nvram)\b"),
        ("VMFS", r"\bvmfs\d?\b"),
        ("NSX", r"\bnsx(-t|-v)?\b"),
        ("VMware Tools", r"\bvmware\s+tools\b"),
    )
)
"""vSphere-only vocabulary: each name and what finds it."""

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def vsphere_terms(text: str) -> list[str]:
    """The vSphere-only vocabulary a text uses (names from :data:`VOCABULARY`, sorted)."""
    return sorted(name for name, pattern in VOCABULARY if pattern.search(text))


def front_matter(text: str) -> dict[str, object]:
    """The YAML front matter of a Markdown file (empty if none or not a mapping)."""
    match = _FRONT.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _target_platform(value: object) -> str | None:
    """The front matter's ``target_platform`` when it is a scalar. A list or mapping is
    ignored: rendering one built from YAML aliases (a "billion laughs" file) would take
    gigabytes."""
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not value:
        return None
    return str(value)


def runbook_files(root: Path) -> Iterator[Path]:
    """Runbook files under ``root``, in a stable order (hidden directories skipped)."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (
            path.is_file()
            and path.suffix.lower() in SUFFIXES
            and not any(p.startswith(".") for p in rel.parts)
        ):
            yield path


def collect_runbooks(root: Path, source_id: str, sink: Sink, gap: GapSink) -> int:
    """Read every runbook under ``root``; unreadable files become gaps. Returns the count."""
    count = 0
    for path in runbook_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            raw = path.read_bytes()
            if len(raw) > MAX_BYTES:
                gap("Runbook", f"larger than {MAX_BYTES} bytes, skipped", rel)
                continue
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            gap("Runbook", f"unreadable ({type(exc).__name__})", rel)
            continue
        meta = front_matter(text)
        heading = _HEADING.search(text)
        sink(
            RunbookRecord(
                id=f"runbook:{source_id}:{rel}",
                name=heading.group(1) if heading else path.stem,
                path=rel,
                sha256=hashlib.sha256(raw).hexdigest(),
                translated=meta.get("translated") is True,
                target_platform=_target_platform(meta.get("target_platform")),
                vsphere_terms=vsphere_terms(text),
                text=text,
            )
        )
        count += 1
    return count


@dataclass(frozen=True)
class RunbookOptions:
    """Which directory to read, and the stable name of the collection."""

    directory: Path
    name: str | None = None
    """Default: the directory's name."""


class RunbookCollector(CollectorBase):
    """The runbooks under one directory (see :func:`open_runbooks`)."""

    def __init__(self, options: RunbookOptions) -> None:
        self.directory = options.directory
        source_id = options.name or options.directory.resolve().name
        self._identity = SourceIdentity(kind="runbooks", id=source_id, name=str(self.directory))

    @property
    def identity(self) -> SourceIdentity:
        """``runbooks`` / the collection's name / the directory."""
        return self._identity

    @property
    def where(self) -> str:
        """The directory."""
        return str(self.directory)

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Every runbook (:func:`collect_runbooks`)."""
        collect_runbooks(self.directory, self._identity.id, sink, gap)


def open_runbooks(options: RunbookOptions) -> RunbookCollector:
    """A collector of ``options.directory``; :class:`SourceError` if it is not a directory."""
    if not options.directory.is_dir():
        raise SourceError(f"{options.directory} is not a directory")
    return RunbookCollector(options)
