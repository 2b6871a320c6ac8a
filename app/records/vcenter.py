"""Records collected from a vCenter (pyVmomi). Ids are ``<vcenter instanceUuid>:<moref>``."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from app.records.base import Record


class VCenterRecord(Record):
    """Base of every vCenter record."""

    source_kind: ClassVar[str] = "vcenter"


class VCenter(VCenterRecord):
    """The vCenter itself (``ServiceContent.about``)."""

    kind: Literal["VCenter"] = "VCenter"
    name: str
    instance_uuid: str
    version: str | None = None
    build: str | None = None
    api_version: str | None = None


class Datacenter(VCenterRecord):
    """A datacenter."""

    kind: Literal["Datacenter"] = "Datacenter"
    moref: str
    name: str
    vcenter: str


class Folder(VCenterRecord):
    """A folder of any type, with its parent (folder or datacenter)."""

    kind: Literal["Folder"] = "Folder"
    moref: str
    name: str
    child_types: list[str] = Field(default_factory=list)
    parent: str | None = None


class VirtualMachine(VCenterRecord):
    """A virtual machine (templates included, flagged)."""

    kind: Literal["VirtualMachine"] = "VirtualMachine"
    moref: str
    name: str
    instance_uuid: str | None = None
    bios_uuid: str | None = None
    power_state: str | None = None
    guest_os: str | None = None
    template: bool = False
    annotation: str | None = None
    folder: str | None = None
