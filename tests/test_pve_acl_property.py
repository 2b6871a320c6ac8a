"""Proxmox VE's permission evaluation (app/parity/pve_acl.py) against a plainly written
reference (tests/support/pve_acl_reference.py), on random access configurations: ACL entries
for users, groups and tokens on nested paths, with and without propagate, NoAccess among
them, random group membership, pools holding guests and storage, privilege-separated and
plain tokens. Every principal's privileges on every path must agree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.parity.pve_acl import AccessConfig, Acl, Kind, group_privileges, privileges
from tests.support.pve_acl_reference import reference_privileges

PATHS = ("/", "/vms", "/vms/1", "/vms/2", "/pool/p", "/pool/q", "/storage", "/storage/s")
USERS = ("u1@pve", "u2@corp", "root@pam")
TOKENS = ("u1@pve!sep", "u1@pve!plain", "u2@corp!x")
GROUPS = ("g1", "g2")
ROLES = {
    "NoAccess": frozenset(),
    "Administrator": frozenset({"VM.Audit", "VM.PowerMgmt", "VM.Config.CPU", "Datastore.Audit"}),
    "PVEVMUser": frozenset({"VM.Audit", "VM.PowerMgmt"}),
    "PVEAuditor": frozenset({"VM.Audit", "Datastore.Audit"}),
    "CpuOnly": frozenset({"VM.Config.CPU"}),
}
SUBJECTS: list[tuple[Kind, str]] = (
    [("user", u) for u in USERS] + [("group", g) for g in GROUPS] + [("token", t) for t in TOKENS]
)


@st.composite
def configs(draw: st.DrawFn) -> AccessConfig:
    acls = draw(
        st.lists(
            st.builds(
                lambda path, subject, role, propagate: Acl(
                    path, subject[0], subject[1], role, propagate
                ),
                st.sampled_from(PATHS),
                st.sampled_from(SUBJECTS),
                st.sampled_from(sorted(ROLES)),
                st.booleans(),
            ),
            max_size=12,
        )
    )
    groups = {g: frozenset(draw(st.sets(st.sampled_from(USERS[:2])))) for g in GROUPS}
    members = ("/vms/1", "/vms/2", "/storage/s")
    pools = {p: frozenset(draw(st.sets(st.sampled_from(members)))) for p in ("p", "q")}
    tokens = {t: draw(st.booleans()) for t in draw(st.sets(st.sampled_from(TOKENS)))}
    return AccessConfig(tuple(acls), ROLES, groups, pools, tokens)


@settings(max_examples=400, deadline=None)
@given(configs())
def test_evaluation_matches_the_reference(config: AccessConfig) -> None:
    for who in USERS + TOKENS:
        for path in PATHS:
            assert privileges(config, who, path) == reference_privileges(config, who, path), (
                who,
                path,
            )


@settings(max_examples=200, deadline=None)
@given(configs())
def test_a_group_is_judged_as_its_only_member(config: AccessConfig) -> None:
    for group in GROUPS:
        alone = AccessConfig(
            tuple(a for a in config.acls if a.kind == "group"),
            config.roles,
            {group: frozenset({"m@probe"})},
            config.pools,
        )
        for path in PATHS:
            assert group_privileges(config, group, path) == reference_privileges(
                alone, "m@probe", path
            )
