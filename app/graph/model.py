"""The declarative graph model: every source node type, its key, labels and relationships.

This is the one place the graph's shape is declared. ``app.graph.codegen`` turns it into the
load, cleanup and schema statements under ``cypher/`` (checked in, so anyone can read and
paste them); ``docs/graph-model.md`` describes it for people. Node properties are the record's
fields, except ``kind`` and the fields that hold relationship targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.records import Datacenter, Folder, Record, VCenter, VirtualMachine

SOURCE_LABEL = "Source"
"""Extra label on every node loaded from a source (carries ``source_id`` and ``sync_run``)."""


@dataclass(frozen=True)
class Rel:
    """A relationship from a node to the node(s) whose id a record field holds.

    ``reverse`` flips the direction: the edge points from the target to this node.
    """

    type: str
    field: str
    target: str
    many: bool = False
    reverse: bool = False

    def name(self, label: str) -> str:
        """A file-name-safe identifier such as ``VirtualMachine-IN_FOLDER-Folder``."""
        return f"{label}-{self.type}-{self.target}"


@dataclass(frozen=True)
class NodeType:
    """A source node type bound to its record class."""

    record: type[Record]
    extra_labels: tuple[str, ...] = ()
    rels: tuple[Rel, ...] = ()
    indexes: tuple[str, ...] = ("name",)
    unique: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """The node's primary label: the record kind."""
        return str(self.record.model_fields["kind"].default)

    @property
    def properties(self) -> tuple[str, ...]:
        """Stored properties: the record fields minus ``kind``, ``id`` and relationship fields."""
        rel_fields = {rel.field for rel in self.rels}
        return tuple(
            name
            for name in self.record.model_fields
            if name not in {"kind", "id"} and name not in rel_fields
        )


VSPHERE = "VSphereEntity"
"""Label shared by every vSphere managed entity (permissions point at any of them)."""

NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(VCenter, indexes=("name", "instance_uuid")),
    NodeType(
        Datacenter,
        extra_labels=(VSPHERE,),
        rels=(Rel("IN_VCENTER", "vcenter", "VCenter"),),
    ),
    NodeType(
        Folder,
        extra_labels=(VSPHERE,),
        rels=(Rel("CHILD_OF", "parent", VSPHERE),),
    ),
    NodeType(
        VirtualMachine,
        extra_labels=(VSPHERE,),
        rels=(Rel("IN_FOLDER", "folder", "Folder"),),
        indexes=("name", "instance_uuid", "bios_uuid"),
    ),
)
"""Every source node type, in load order."""

SHARED_KEY_LABELS: tuple[str, ...] = (VSPHERE,)
"""Labels shared by several node types whose ``id`` is still unique (relationship targets)."""

BY_KIND: dict[str, NodeType] = {node.label: node for node in NODE_TYPES}


def node_type(kind: str) -> NodeType:
    """The node type of a record kind (``KeyError`` if the kind is not in the graph model)."""
    return BY_KIND[kind]


def source_kinds() -> set[str]:
    """Every source kind that has node types."""
    return {node.record.source_kind for node in NODE_TYPES}
