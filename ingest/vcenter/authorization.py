"""The authorization manager: privileges, roles and permissions, as records."""

from __future__ import annotations

import logging
from typing import Any

from app.records import vcenter as r
from app.records.contract import Sink
from ingest.vcenter.ids import Ids

log = logging.getLogger(__name__)


def collect_authorization(content: Any, ids: Ids, sink: Sink) -> None:
    """Every privilege, role and permission of the vCenter (raises ``NoPermission``)."""
    manager = content.authorizationManager
    roles = manager.roleList or []
    _privileges(manager, roles, ids, sink)
    for role in roles:
        sink(
            r.Role(
                id=f"{ids.vc}:role:{role.roleId}",
                role_id=role.roleId,
                name=role.name,
                system=bool(role.system),
                label=getattr(role.info, "label", None),
                privileges=[f"{ids.vc}:priv:{p}" for p in sorted(role.privilege or [])],
            )
        )
    _permissions(manager, ids, sink)


def _privileges(manager: Any, roles: list[Any], ids: Ids, sink: Sink) -> None:
    catalogue: dict[str, tuple[str, str | None, bool | None]] = {}
    for priv in manager.privilegeList or []:
        catalogue[priv.privId] = (priv.name, priv.privGroupName, priv.onParent)
    for role in roles:
        for priv_id in role.privilege or []:
            if priv_id not in catalogue:  # vcsim leaves privilegeList empty
                group, _, name = priv_id.rpartition(".")
                catalogue[priv_id] = (name, group or None, None)
    for priv_id, (name, group, on_parent) in sorted(catalogue.items()):
        sink(
            r.Privilege(
                id=f"{ids.vc}:priv:{priv_id}",
                privilege_id=priv_id,
                name=name,
                group=group,
                on_parent=on_parent,
            )
        )


def _permissions(manager: Any, ids: Ids, sink: Sink) -> None:
    skipped = 0
    seen: set[str] = set()
    for perm in manager.RetrieveAllPermissions() or []:
        if perm.entity is None:
            skipped += 1
            continue
        entity = ids.of(perm.entity) or ""
        kind = "group" if perm.group else "user"
        pid = f"{entity}:perm:{kind}:{perm.principal}"
        if pid in seen:  # one permission per principal and entity; keep the first
            log.warning(
                "duplicate permission for %s %s on %s ignored",
                kind,
                perm.principal,
                perm.entity._moId,
            )
            continue
        seen.add(pid)
        sink(
            r.Permission(
                id=pid,
                principal=perm.principal,
                is_group=bool(perm.group),
                role_id=perm.roleId,
                propagate=bool(perm.propagate),
                entity=entity,
                role=f"{ids.vc}:role:{perm.roleId}",
            )
        )
    if skipped:
        log.warning("%d permission(s) without an entity were skipped", skipped)
