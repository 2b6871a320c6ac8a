"""One PropertyCollector retrieval over a recursive ContainerView, paged with ``maxObjects``.

Every type gets an explicit property set; no per-object attribute access anywhere (that costs
round trips per object). Properties the server refuses (``missingSet``, e.g. NoPermission) are
returned separately so the caller can record them as gaps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


@dataclass
class ObjectProps:
    """One object and the properties retrieved for it."""

    obj: Any
    props: dict[str, Any]
    missing: list[tuple[str, str]] = field(default_factory=list)

    @property
    def moref(self) -> str:
        """The managed object id (``vm-42``)."""
        return str(self.obj._moId)


def retrieve(
    content: Any,
    paths: Mapping[type, Sequence[str]],
    *,
    page_size: int = 1000,
    container: Any = None,
) -> Iterator[ObjectProps]:
    """Yield every object below ``container`` (default: the root folder) whose type is in
    ``paths``, with those properties, ``page_size`` objects per round trip."""
    view = content.viewManager.CreateContainerView(
        container or content.rootFolder, list(paths), True
    )
    try:
        traversal = PC.TraversalSpec(
            name="view", path="view", skip=False, type=vim.view.ContainerView
        )
        obj_spec = PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
        prop_specs = [
            PC.PropertySpec(type=kind, pathSet=list(p), all=False) for kind, p in paths.items()
        ]
        yield from _page(
            content.propertyCollector,
            PC.FilterSpec(objectSet=[obj_spec], propSet=prop_specs),
            page_size,
        )
    finally:
        view.Destroy()


def retrieve_objects(
    content: Any,
    objects: Sequence[Any],
    kind: type,
    path_set: Sequence[str],
    *,
    page_size: int = 1000,
) -> Iterator[ObjectProps]:
    """Yield properties of an explicit list of objects (e.g. hosts' network systems)."""
    if not objects:
        return
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=obj, skip=False) for obj in objects],
        propSet=[PC.PropertySpec(type=kind, pathSet=list(path_set), all=False)],
    )
    yield from _page(content.propertyCollector, spec, page_size)


def _page(collector: Any, spec: Any, page_size: int) -> Iterator[ObjectProps]:
    result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=page_size))
    while result is not None:
        for content in result.objects or []:
            props = {prop.name: prop.val for prop in content.propSet or []}
            missing = [(m.path, type(m.fault).__name__) for m in content.missingSet or []]
            yield ObjectProps(content.obj, props, missing)
        token = result.token
        result = collector.ContinueRetrievePropertiesEx(token) if token else None


T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most ``size`` items (for APIs that take lists)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def nic_macs(devices: Sequence[Any] | None) -> list[str]:
    """The MAC addresses of a VM's virtual NICs (``VirtualEthernetCard.macAddress``, lower
    case, in device order; NICs without one are skipped)."""
    return [
        str(d.macAddress).lower()
        for d in devices or []
        if isinstance(d, vim.vm.device.VirtualEthernetCard) and getattr(d, "macAddress", None)
    ]
