"""Change-authority parity on a Proxmox VE target, by Proxmox's own permission rules.

For each source grant (a vSphere permission) and each mapped guest in its reach, the mapped
principal's privileges on the guest are evaluated with :mod:`app.parity.pve_acl` (PVE has no
access-review API: its documented evaluation of the cluster's ACLs is the oracle), and
compared with what the role's vSphere privileges translate to
(:mod:`app.parity.pve_privileges`): enforced when every translated privilege is held on every
guest; some: drifted; none: missing. A NoAccess grant is the reverse: enforced when the
principal holds no VM-control privilege on any of the guests.

A group is judged as a user who belongs to it alone would be (PVE evaluates users: a member's
own ACL entries, or those of his other groups on a deeper path, may give him more or less).

Target-only authority: ACL entries whose role controls guests, for a user, group or token
that no source principal with a grant maps to (``root@pam`` is the platform's own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.parity.authority import NO_ACCESS as SOURCE_NO_ACCESS
from app.parity.authority import Grant
from app.parity.model import Status, TargetRef, Verdict
from app.parity.principals import Subject
from app.parity.pve_acl import ROOT, AccessConfig, group_privileges, normalise_path, privileges
from app.parity.pve_model import PveTarget, PveVM
from app.parity.pve_principals import PvePrincipalMapper
from app.parity.pve_privileges import VM_CONTROL, PveCheck, translate


def subject_privileges(access: AccessConfig, subject: Subject, path: str) -> frozenset[str]:
    """What a PVE user (or token) holds on ``path``; for a group, what a user who belongs to
    it alone holds."""
    if subject.kind == "User":
        return privileges(access, subject.name, path)
    return group_privileges(access, subject.name, path)


def _on(vm: PveVM, check: PveCheck) -> list[str]:
    if check.on == "vm":
        return [vm.path]
    return [f"/storage/{s}" for s in sorted({d.storage for d in vm.disks if d.storage})]


def _ancestors(path: str) -> set[str]:
    parts = [p for p in normalise_path(path).split("/") if p]
    return {"/"} | {"/" + "/".join(parts[: i + 1]) for i in range(len(parts))}


def _entries(pve: PveTarget, subject: Subject, vm: PveVM, wanted: Iterable[str]) -> list[TargetRef]:
    """The ACL entries naming the subject (or, for a user, its groups) on the guest's path,
    its pool, or a storage it uses, whose role holds one of ``wanted``."""
    access = pve.access
    paths = _ancestors(vm.path) | {f"/storage/{d.storage}" for d in vm.disks if d.storage}
    if vm.pool:
        paths |= _ancestors(f"/pool/{vm.pool}")
    if subject.kind == "Group":
        names = {("group", subject.name)}
    else:
        user = subject.name.split("!", 1)[0]
        names = {("token" if "!" in subject.name else "user", subject.name)}
        names |= {("group", g) for g in access.member_of.get(user, ())}
    wanted = set(wanted)
    found = []
    for acl in (a for path in sorted(paths) for a in access.by_path.get(path, ())):
        if (acl.kind, acl.ugid) not in names:
            continue
        if acl.role != "NoAccess" and not (access.roles.get(acl.role, frozenset()) & wanted):
            continue
        rid = pve.acl_ids.get((acl.path, acl.kind, acl.ugid, acl.role), "")
        found.append(TargetRef("PveAcl", rid, f"{acl.path} {acl.ugid}", f"role {acl.role}"))
    return found


def _summary(items: list[str], limit: int = 6) -> str:
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def _review(
    pve: PveTarget, subject: Subject, vms: Sequence[PveVM], checks: Sequence[PveCheck]
) -> tuple[list[str], list[str], list[TargetRef]]:
    allowed: list[str] = []
    denied: list[str] = []
    evidence: dict[tuple[str, str], TargetRef] = {}
    for vm in vms:
        for check in checks:
            paths = _on(vm, check)
            if not paths:
                denied.append(f"{check.text()} on {vm.ref} (its disks name no storage)")
                continue
            for path in paths:
                ok = check.privilege in subject_privileges(pve.access, subject, path)
                (allowed if ok else denied).append(f"{check.privilege} on {path} ({vm.ref})")
        for ref in _entries(pve, subject, vm, {c.privilege for c in checks}):
            evidence.setdefault((ref.kind, ref.id), ref)
    return allowed, denied, list(evidence.values())


def change_authority(
    grant: Grant, vms: Sequence[PveVM], mapper: PvePrincipalMapper, pve: PveTarget
) -> Verdict:
    """Parity of one source grant over its mapped guests."""
    role = translate(grant.privileges)
    purpose = [p for p in grant.privileges if not p.startswith("System.")]
    no_access = grant.role_id == SOURCE_NO_ACCESS
    if not no_access and (not role.checks or (purpose and not translate(purpose).checks)):
        return Verdict("gap", [f"role {grant.role} has no privilege Proxmox VE can check"])
    match = mapper.match(grant.principal, grant.is_group)
    if match.subject is None:
        if no_access and match.how == "unmatched":
            return Verdict("enforced", [match.text(), "no ACL names it: it is granted nothing"])
        return Verdict("missing", [match.text()])
    who = f"{match.subject.kind.lower()} {match.subject.name}"
    if no_access:
        control = sorted(VM_CONTROL)
        held = []
        for vm in vms:
            have = subject_privileges(pve.access, match.subject, vm.path) & VM_CONTROL
            if have:
                held.append(f"{', '.join(sorted(have))} on {vm.path} ({vm.ref})")
        if held:
            evidence = [r for vm in vms for r in _entries(pve, match.subject, vm, control)]
            return Verdict(
                "drifted",
                [
                    match.text(),
                    f"the source denies everything (NoAccess) but on the target {who} holds "
                    f"{_summary(held)}",
                ],
                evidence,
            )
        return Verdict(
            "enforced",
            [match.text(), f"{who} holds no VM-control privilege on {len(vms)} guest(s)"],
            [r for vm in vms for r in _entries(pve, match.subject, vm, ["NoAccess"])],
        )
    lines = [match.text()]
    if role.no_analogue:
        lines.append(
            f"role {grant.role}: {len(role.no_analogue)} privilege(s) with no Proxmox VE "
            f"analogue: {_summary(list(role.no_analogue), 8)}"
        )
    allowed, denied, evidence = _review(pve, match.subject, vms, role.checks)
    checks = ", ".join(c.text() for c in role.checks)
    if not denied:
        return Verdict(
            "enforced", [*lines, f"{who} holds {checks} on {len(vms)} guest(s)"], evidence
        )
    status: Status = "drifted" if allowed else "missing"
    return Verdict(status, [*lines, f"{who} lacks {_summary(denied)}"], evidence)


def _scope(path: str) -> str:
    path = normalise_path(path)
    if path == "/":
        return "every guest"
    if path == "/vms":
        return "every guest (/vms)"
    if path.startswith("/vms/"):
        return f"guest {path.rsplit('/', 1)[1]}"
    if path.startswith("/pool/"):
        return f"pool {path.split('/', 2)[2]}"
    return path


def _in_scope(path: str, vm: PveVM) -> bool:
    path = normalise_path(path)
    if path in ("/", "/vms"):
        return True
    if path.startswith("/pool/"):
        return vm.pool == path.split("/", 2)[2]
    return path == vm.path


def target_only(
    pve: PveTarget,
    guests: Sequence[PveVM],
    principals: Iterable[tuple[str, bool]],
    mapper: PvePrincipalMapper,
) -> list[dict[str, Any]]:
    """Target-only authority: ``{"subject", "binding", "role", "scope", "why"}`` per ACL
    entry whose role controls guests, for a principal no source grant maps to (the
    evaluation confirms each: the subject holds them on a guest in the entry's scope)."""
    known: set[tuple[str, str]] = set()
    for name, is_group in principals:
        match = mapper.match(name, is_group)
        kind = "group" if is_group else "user"
        if match.subject is not None:
            known.add((kind, match.subject.name))
        known |= {(kind, c) for c in match.candidates}
    found = []
    for acl in pve.access.acls:
        control = pve.access.roles.get(acl.role, frozenset()) & VM_CONTROL
        if not control or acl.ugid == ROOT:
            continue
        owner = acl.ugid.split("!", 1)[0]
        if (acl.kind if acl.kind != "token" else "user", owner) in known or (
            acl.kind,
            acl.ugid,
        ) in known:
            continue
        subject = Subject("Group" if acl.kind == "group" else "User", acl.ugid)
        confirmed = next(  # the first guest in scope where the subject holds them
            (
                sorted(held)
                for vm in guests
                if _in_scope(acl.path, vm)
                and (held := subject_privileges(pve.access, subject, vm.path) & control)
            ),
            [],
        )
        if not confirmed:
            continue
        found.append(
            {
                "subject": f"{acl.kind.capitalize()} {acl.ugid}",
                "binding": f"ACL {normalise_path(acl.path)}",
                "role": f"role {acl.role}",
                "scope": _scope(acl.path),
                "why": f"holds {', '.join(confirmed)} on {_scope(acl.path)}; "
                "no source grant maps to this principal",
            }
        )
    return sorted(found, key=lambda f: (f["subject"], f["binding"]))
