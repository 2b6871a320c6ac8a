"""Generate the load, cleanup and schema Cypher from the declarative model.

Run ``authmap dev codegen`` after changing ``app/graph/model.py``; a test fails while the files
under ``cypher/`` differ from what this module would write. Generated statements take only
parameters (``$rows``, ``$source_id``, ``$sync_run``, ``$limit``): nothing is built from input.
"""

from __future__ import annotations

from pathlib import Path

from app.graph.model import (
    NODE_TYPES,
    SHARED_INDEXES,
    SHARED_KEY_LABELS,
    SOURCE_LABEL,
    NodeType,
    Rel,
)

HEADER = "// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.\n"

STATIC_SCHEMA = """\
// Hand-maintained part (human data, sync runs): kept by the generator as written here.
CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX sync_run_source IF NOT EXISTS FOR (n:SyncRun) ON (n.source_id);
CREATE INDEX source_scope IF NOT EXISTS FOR (n:Source) ON (n.source_id, n.sync_run);
CREATE CONSTRAINT decision_id IF NOT EXISTS FOR (n:Decision) REQUIRE n.id IS UNIQUE;
CREATE INDEX decision_category IF NOT EXISTS FOR (n:Decision) ON (n.category, n.status);
CREATE INDEX decision_run IF NOT EXISTS FOR (n:Decision) ON (n.derive_run);
CREATE CONSTRAINT team_name IF NOT EXISTS FOR (n:Team) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT platform_name IF NOT EXISTS FOR (n:TargetPlatform) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE;
CREATE INDEX event_decision IF NOT EXISTS FOR (n:Event) ON (n.decision_id);
"""


def _ident(text: str) -> str:
    return text.lower().replace("-", "_")


def node_load(node: NodeType) -> str:
    """``UNWIND $rows`` MERGE of one node type; every property set explicitly (null removes)."""
    labels = "".join(f":{label}" for label in (SOURCE_LABEL, *node.extra_labels))
    sets = [f"n.{prop} = row.{prop}" for prop in node.properties]
    sets += ["n.source_id = $source_id", "n.sync_run = $sync_run"]
    body = ",\n    ".join(sets)
    return (
        f"{HEADER}// Load {node.label} nodes. Parameters: $rows (list of maps with id and the "
        f"properties), $source_id, $sync_run.\n"
        f"UNWIND $rows AS row\nMERGE (n:{node.label} {{id: row.id}})\nSET n{labels},\n    {body}\n"
        f"RETURN count(n) AS written;\n"
    )


def rel_load(node: NodeType, rel: Rel) -> str:
    """MERGE of one relationship type; counts the rows whose endpoint is missing."""
    pattern = f"(b)-[r:{rel.type}]->(a)" if rel.reverse else f"(a)-[r:{rel.type}]->(b)"
    return (
        f"{HEADER}// Link {node.label} -[{rel.type}]-> {rel.target} "
        f"({'reversed: target to node' if rel.reverse else 'node to target'}). Parameters: $rows "
        f"(maps with from and to ids), $source_id, $sync_run.\n"
        f"UNWIND $rows AS row\n"
        f"OPTIONAL MATCH (a:{node.label} {{id: row.from}})\n"
        f"OPTIONAL MATCH (b:{rel.target} {{{rel.target_key}: row.to}})\n"
        f"FOREACH (_ IN CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [1] END |\n"
        f"  MERGE {pattern}\n"
        f"  SET r.source_id = $source_id, r.sync_run = $sync_run)\n"
        f"WITH row, a IS NOT NULL AND b IS NOT NULL AS linked\n"
        f"RETURN count(CASE WHEN linked THEN 1 END) AS linked,\n"
        f"       collect(CASE WHEN NOT linked THEN row.to END)[..20] AS missing_sample,\n"
        f"       count(CASE WHEN NOT linked THEN 1 END) AS missing;\n"
    )


def node_cleanup(node: NodeType) -> str:
    """Delete one chunk of this source's nodes the given run did not see."""
    return (
        f"{HEADER}// Remove up to $limit {node.label} nodes of $source_id not seen by $sync_run.\n"
        f"MATCH (n:{node.label} {{source_id: $source_id}})\n"
        f"WHERE n.sync_run <> $sync_run\n"
        f"WITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS deleted;\n"
    )


def rel_cleanup(node: NodeType, rel: Rel) -> str:
    """Delete one chunk of this source's relationships the given run did not see."""
    if rel.reverse:
        pattern = f"(:{rel.target})-[r:{rel.type}]->(:{node.label})"
    else:
        pattern = f"(:{node.label})-[r:{rel.type}]->(:{rel.target})"
    return (
        f"{HEADER}// Remove up to $limit {rel.type} links of $source_id not seen by $sync_run.\n"
        f"MATCH {pattern}\n"
        f"WHERE r.source_id = $source_id AND r.sync_run <> $sync_run\n"
        f"WITH r LIMIT $limit\nDELETE r\nRETURN count(*) AS deleted;\n"
    )


def schema() -> str:
    """Constraints and indexes: one uniqueness constraint per label key, plus indexes."""
    lines = [HEADER.rstrip("\n"), STATIC_SCHEMA.rstrip("\n")]
    for label in SHARED_KEY_LABELS:
        lines.append(
            f"CREATE CONSTRAINT {_ident(label)}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE;"
        )
    for label, prop in SHARED_INDEXES:
        lines.append(
            f"CREATE INDEX {_ident(label)}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop});"
        )
    for node in NODE_TYPES:
        lines.append(
            f"CREATE CONSTRAINT {_ident(node.label)}_id IF NOT EXISTS "
            f"FOR (n:{node.label}) REQUIRE n.id IS UNIQUE;"
        )
        for prop in node.indexes:
            lines.append(
                f"CREATE INDEX {_ident(node.label)}_{prop} IF NOT EXISTS "
                f"FOR (n:{node.label}) ON (n.{prop});"
            )
    return "\n".join(lines) + "\n"


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
