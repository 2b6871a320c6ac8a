"""Generate the load, cleanup and schema Cypher from the declarative model.

Run ``authmap dev codegen`` after changing ``app/graph/model.py``; a test fails while the files
under ``cypher/`` differ from what this module would write. Generated statements take only
parameters (``$rows``, ``$source_id``, ``$sync_run``, ``$limit``): nothing is built from input.
"""

from __future__ import annotations

from pathlib import Path

from app.graph.cypher_files import cypher_dir
from app.graph.model import (
    NODE_TYPES,
    SHARED_INDEXES,
    SHARED_KEY_LABELS,
    SOURCE_LABEL,
    NodeType,
    Rel,
)

HEADER = "// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.\n"


def _ident(text: str) -> str:
    return text.lower().replace("-", "_")


def _template(name: str) -> str:
    return (cypher_dir() / "templates" / f"{name}.cypher.tmpl").read_text()


def node_load(node: NodeType) -> str:
    """The batched load of one node type; every property set explicitly (null removes)."""
    sets = [f"n.{prop} = row.{prop}" for prop in node.properties]
    sets += ["n.source_id = $source_id", "n.sync_run = $sync_run"]
    labels = "".join(f":{label}" for label in (SOURCE_LABEL, *node.extra_labels))
    return HEADER + _template("node_load").format(
        label=node.label, labels=labels, body=",\n    ".join(sets)
    )


def rel_load(node: NodeType, rel: Rel) -> str:
    """The batched load of one relationship type; counts rows whose endpoint is missing."""
    return HEADER + _template("rel_load").format(
        label=node.label,
        type=rel.type,
        target=rel.target,
        target_key=rel.target_key,
        direction="reversed: target to node" if rel.reverse else "node to target",
        pattern=f"(b)-[r:{rel.type}]->(a)" if rel.reverse else f"(a)-[r:{rel.type}]->(b)",
    )


def node_cleanup(node: NodeType) -> str:
    """Delete one chunk of this source's nodes the given run did not see."""
    return HEADER + _template("node_cleanup").format(label=node.label)


def rel_cleanup(node: NodeType, rel: Rel) -> str:
    """Delete one chunk of this source's relationships the given run did not see."""
    ends = (rel.target, node.label) if rel.reverse else (node.label, rel.target)
    pattern = f"(:{ends[0]})-[r:{rel.type}]->(:{ends[1]})"
    return HEADER + _template("rel_cleanup").format(type=rel.type, pattern=pattern)


FULLTEXT_INDEX = "node_names"
"""The full-text index of names that ``/api/search`` queries."""

NAME_PROPERTIES = ("name", "display_name", "principal")
"""Properties the full-text index covers (whichever a node kind has)."""

NAMED_HUMAN_LABELS = ("Team", "TargetPlatform")
"""Human-data labels with a ``name`` (not in the source model), also searchable."""


def fulltext_labels() -> tuple[str, ...]:
    """Every node kind with a ``name``, ``display_name`` or ``principal`` property."""
    labels = [
        node.label
        for node in NODE_TYPES
        if any(prop in node.properties for prop in NAME_PROPERTIES)
    ]
    return (*labels, *NAMED_HUMAN_LABELS)


def schema() -> str:
    """Constraints and indexes: one uniqueness constraint per label key, plus indexes, plus
    the full-text index of names."""
    constraint, index = _template("schema_constraint"), _template("schema_index")
    parts = [HEADER, _template("schema_static")]
    parts.append(
        _template("schema_fulltext").format(
            name=FULLTEXT_INDEX,
            labels="|".join(fulltext_labels()),
            props=", ".join(f"n.{prop}" for prop in NAME_PROPERTIES),
        )
    )
    for label in SHARED_KEY_LABELS:
        parts.append(constraint.format(name=_ident(label), label=label))
    for label, prop in SHARED_INDEXES:
        parts.append(index.format(name=_ident(label), label=label, prop=prop))
    for node in NODE_TYPES:
        parts.append(constraint.format(name=_ident(node.label), label=node.label))
        parts += [
            index.format(name=_ident(node.label), label=node.label, prop=prop)
            for prop in node.indexes
        ]
    return "".join(parts)


def generated_files() -> dict[str, str]:
    """Every generated file, by path relative to ``cypher/``."""
    files = {"schema.cypher": schema()}
    for node in NODE_TYPES:
        files[f"load/nodes/{node.label}.cypher"] = node_load(node)
        files[f"cleanup/nodes/{node.label}.cypher"] = node_cleanup(node)
        for rel in node.rels:
            files[f"load/rels/{rel.name(node.label)}.cypher"] = rel_load(node, rel)
            files[f"cleanup/rels/{rel.name(node.label)}.cypher"] = rel_cleanup(node, rel)
    return files


def write_all(cypher_dir: Path) -> list[Path]:
    """Write every generated file; remove generated files no longer in the model."""
    written: list[Path] = []
    wanted = generated_files()
    for sub in ("load/nodes", "load/rels", "cleanup/nodes", "cleanup/rels"):
        for old in (cypher_dir / sub).glob("*.cypher"):
            if f"{sub}/{old.name}" not in wanted:
                old.unlink()
    for rel_path, text in wanted.items():
        path = cypher_dir / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written
