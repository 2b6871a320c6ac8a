"""Proxmox VE's permission evaluation (app/parity/pve_acl.py), worked by hand.

Each case cites the rule of ``pveum`` "Permission Management" it exercises (the numbers are
the module docstring's). The scenario is the PVE 9 fixture cluster's own access
configuration (tests/fixtures/proxmox/pve9/api/access/, pools/), read through ``from_api``;
the synthetic cases build an :class:`AccessConfig` directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.parity.pve_acl import AccessConfig, Acl, allowed, effective_roles, from_api, privileges

API = Path(__file__).resolve().parent / "fixtures" / "proxmox" / "pve9" / "api"
VMADMIN = "VM.Config.CPU"  # a privilege of PVEVMAdmin that PVEVMUser lacks


def _read(path: str) -> Any:
    return json.loads((API / f"{path}.json").read_text())


@pytest.fixture(scope="module")
def cluster() -> AccessConfig:
    pools = {p["poolid"]: _read(f"pools/{p['poolid']}") for p in _read("pools")}
    return from_api(_read("access/acl"), _read("access/roles"), _read("access/users"), pools)


def test_root_has_every_administrator_privilege(cluster: AccessConfig) -> None:
    # rule 1
    assert privileges(cluster, "root@pam", "/vms/103") == cluster.roles["Administrator"]


def test_pool_role_reaches_its_vms(cluster: AccessConfig) -> None:
    # rule 4: ops-corp has PVEVMAdmin on /pool/prod; web-01 (101) is in prod
    assert allowed(cluster, "alice@corp", "/vms/101", ["VM.PowerMgmt", VMADMIN])
    # 105 is in the lab pool: alice has nothing there but nothing from / either
    assert privileges(cluster, "alice@corp", "/vms/105") == frozenset()


def test_user_no_access_beats_the_pool(cluster: AccessConfig) -> None:
    # rules 2, 3, 4: alice's own NoAccess on /vms/103 is never lifted by the pool role
    assert effective_roles(cluster, "alice@corp", "/vms/103") == {"NoAccess"}
    assert privileges(cluster, "alice@corp", "/vms/103") == frozenset()


def test_group_on_the_vm_itself(cluster: AccessConfig) -> None:
    # rule 2: bob (dba-corp) has PVEVMAdmin on /vms/103, and the pool role besides
    assert effective_roles(cluster, "bob@corp", "/vms/103") == {"PVEVMAdmin"}
    assert allowed(cluster, "bob@corp", "/vms/103", ["VM.Console", VMADMIN])


def test_user_entry_replaces_inherited_group_roles(cluster: AccessConfig) -> None:
    # rule 2: carol's helpdesk group has PVEAuditor on / (propagated); her own VMPowerOnly
    # on /vms/104 (not propagated, but final there) replaces it on that VM's path...
    assert effective_roles(cluster, "carol@corp", "/vms/105") == {"PVEAuditor"}
    # ...and rule 4 adds it back: 104 is in the prod pool, and /pool/prod inherits PVEAuditor
    # from / (PVE computes the pool path's roles like any other path)
    assert effective_roles(cluster, "carol@corp", "/vms/104") == {"VMPowerOnly", "PVEAuditor"}
    assert allowed(cluster, "carol@corp", "/vms/104", ["VM.PowerMgmt"])
    assert privileges(cluster, "carol@corp", "/vms/101") == cluster.roles["PVEAuditor"]
    assert not allowed(cluster, "carol@corp", "/vms/101", ["VM.PowerMgmt"])


def test_propagated_from_vms_reaches_every_vm(cluster: AccessConfig) -> None:
    # rule 2: contractors have PVEVMUser on /vms (propagate): every VM, prod or lab
    for vmid in (101, 103, 105):
        assert allowed(cluster, "dave@pve", f"/vms/{vmid}", ["VM.PowerMgmt", "VM.Console"])
    assert not allowed(cluster, "dave@pve", "/vms/101", [VMADMIN])


def test_unpropagated_storage_entry_stays_on_its_path(cluster: AccessConfig) -> None:
    # rule 2: dba-corp's PVEDatastoreUser on /storage/ceph-gold has propagate 0
    assert allowed(cluster, "bob@corp", "/storage/ceph-gold", ["Datastore.AllocateSpace"])
    assert privileges(cluster, "bob@corp", "/storage/ceph-silver") == frozenset()


def test_privilege_separated_token_gets_the_intersection(cluster: AccessConfig) -> None:
    # rule 5: the audit token and its user both have PVEAuditor on /
    assert cluster.tokens == {"svc-authmap@pve!audit": True}
    assert privileges(cluster, "svc-authmap@pve!audit", "/vms/101") == cluster.roles["PVEAuditor"]
    assert privileges(cluster, "svc-authmap@pve!nosuch", "/") == frozenset()


ROLES = {
    "NoAccess": frozenset(),
    "PVEVMUser": frozenset({"VM.Audit", "VM.Console", "VM.PowerMgmt"}),
    "PVEVMAdmin": frozenset({"VM.Audit", "VM.Console", "VM.PowerMgmt", "VM.Config.CPU"}),
    "PVEAuditor": frozenset({"VM.Audit"}),
}


def _config(*acls: Acl, **extra: Any) -> AccessConfig:
    groups = {"ops": frozenset({"u@pve"}), "dev": frozenset({"u@pve"})}
    return AccessConfig(acls=acls, roles=ROLES, groups=groups, **extra)


def test_deeper_group_entry_beats_upper_user_entry() -> None:
    # rule 2: "permissions on deeper levels replace those inherited from an upper level",
    # even a user's own entry above a group's entry below
    config = _config(
        Acl("/", "user", "u@pve", "PVEVMUser"), Acl("/vms/1", "group", "ops", "PVEVMAdmin")
    )
    assert effective_roles(config, "u@pve", "/vms/1") == {"PVEVMAdmin"}
    assert effective_roles(config, "u@pve", "/vms/2") == {"PVEVMUser"}


def test_user_beats_group_on_the_same_level() -> None:
    # rule 2: "permissions for individual users always replace group permissions"
    config = _config(
        Acl("/vms", "group", "ops", "PVEVMAdmin"), Acl("/vms", "user", "u@pve", "PVEAuditor")
    )
    assert privileges(config, "u@pve", "/vms/7") == {"VM.Audit"}


def test_groups_on_one_level_add_up() -> None:
    # rule 2: the entries of all the user's groups on a level apply together
    config = _config(
        Acl("/vms", "group", "ops", "PVEAuditor"), Acl("/vms", "group", "dev", "PVEVMUser")
    )
    assert effective_roles(config, "u@pve", "/vms/7") == {"PVEAuditor", "PVEVMUser"}


def test_unpropagated_entry_is_not_inherited() -> None:
    # rule 2: propagate 0 applies to the path itself only
    config = _config(Acl("/vms", "group", "ops", "PVEVMAdmin", propagate=False))
    assert privileges(config, "u@pve", "/vms") == ROLES["PVEVMAdmin"]
    assert privileges(config, "u@pve", "/vms/7") == frozenset()


def test_unpropagated_deeper_entry_does_not_cut_inheritance_below_it() -> None:
    # rule 2: an entry that does not apply (not final, not propagated) replaces nothing
    config = _config(
        Acl("/", "group", "ops", "PVEVMUser"),
        Acl("/vms", "group", "dev", "PVEAuditor", propagate=False),
    )
    assert effective_roles(config, "u@pve", "/vms/7") == {"PVEVMUser"}
    assert effective_roles(config, "u@pve", "/vms") == {"PVEAuditor"}


def test_no_access_cancels_roles_beside_it() -> None:
    # rule 3: NoAccess with another role on the same level leaves nothing
    config = _config(
        Acl("/vms/1", "group", "ops", "NoAccess"), Acl("/vms/1", "group", "dev", "PVEVMAdmin")
    )
    assert privileges(config, "u@pve", "/vms/1") == frozenset()


def test_no_access_above_is_replaced_by_a_grant_below() -> None:
    # rules 2 and 3: NoAccess is a role like any other while walking down
    config = _config(
        Acl("/", "user", "u@pve", "NoAccess"), Acl("/vms/1", "user", "u@pve", "PVEVMUser")
    )
    assert privileges(config, "u@pve", "/vms/1") == ROLES["PVEVMUser"]
    assert privileges(config, "u@pve", "/vms/2") == frozenset()


def test_pool_no_access_trumps_the_vms_own_roles() -> None:
    # rule 4: a pool's NoAccess cancels what the object's own ACL gives
    config = _config(
        Acl("/vms/1", "user", "u@pve", "PVEVMAdmin"),
        Acl("/pool/quarantine", "group", "ops", "NoAccess"),
        pools={"quarantine": frozenset({"/vms/1"})},
    )
    assert privileges(config, "u@pve", "/vms/1") == frozenset()


def test_pool_roles_add_to_the_vms_roles() -> None:
    # rule 4: pool roles are added, not substituted
    config = _config(
        Acl("/vms/1", "user", "u@pve", "PVEAuditor"),
        Acl("/pool/p", "group", "ops", "PVEVMUser"),
        pools={"p": frozenset({"/vms/1"})},
    )
    assert effective_roles(config, "u@pve", "/vms/1") == {"PVEAuditor", "PVEVMUser"}


def test_token_without_privilege_separation_is_its_user() -> None:
    # rule 5
    config = _config(
        Acl("/vms", "user", "u@pve", "PVEVMAdmin"),
        Acl("/", "token", "u@pve!ci", "PVEAuditor"),
        tokens={"u@pve!ci": False, "u@pve!sep": True},
    )
    assert privileges(config, "u@pve!ci", "/vms/1") == ROLES["PVEVMAdmin"]
    # the separated token has no entry of its own: nothing, whatever its user holds
    assert privileges(config, "u@pve!sep", "/vms/1") == frozenset()


def test_separated_token_cannot_exceed_its_user() -> None:
    # rule 5: "tokens can never have permissions on any given path that their user does not have"
    config = _config(
        Acl("/vms", "user", "u@pve", "PVEVMUser"),
        Acl("/vms", "token", "u@pve!sep", "PVEVMAdmin"),
        tokens={"u@pve!sep": True},
    )
    assert privileges(config, "u@pve!sep", "/vms/1") == ROLES["PVEVMUser"]


def test_tokens_do_not_inherit_their_users_groups() -> None:
    # rule 5: a token's own roles come from token entries only
    config = _config(
        Acl("/vms", "group", "ops", "PVEVMAdmin"),
        Acl("/vms", "token", "u@pve!sep", "PVEAuditor"),
        tokens={"u@pve!sep": True},
    )
    assert privileges(config, "u@pve!sep", "/vms/1") == {"VM.Audit"}


def test_paths_are_normalised() -> None:
    config = _config(Acl("/vms/", "group", "ops", "PVEAuditor"))
    assert privileges(config, "u@pve", "vms//3/") == {"VM.Audit"}


def test_pool_role_reaches_a_storage_member() -> None:
    # rule 4: pools hold storage too; /storage/s in pool p gets the roles on /pool/p
    config = _config(
        Acl("/pool/p", "group", "ops", "PVEAuditor"), pools={"p": frozenset({"/storage/s"})}
    )
    assert privileges(config, "u@pve", "/storage/s") == {"VM.Audit"}
    assert privileges(config, "u@pve", "/storage/t") == frozenset()


def test_pool_roles_are_inherited_from_the_root() -> None:
    # rule 4: /pool/{name} is a path like any other, so what / propagates reaches it
    config = _config(
        Acl("/", "user", "u@pve", "PVEAuditor"),
        Acl("/vms", "user", "u@pve", "NoAccess"),
        pools={"p": frozenset({"/vms/1"})},
    )
    assert effective_roles(config, "u@pve", "/vms/1") == {"NoAccess"}  # rule 4: never lifted
    assert privileges(config, "u@pve", "/pool/p") == {"VM.Audit"}


def test_a_guest_in_two_pools_gets_both() -> None:
    # rule 4: the roles of every pool holding the object are added
    config = _config(
        Acl("/pool/p", "group", "ops", "PVEAuditor"), Acl("/pool/q", "group", "dev", "PVEVMUser"),
        pools={"p": frozenset({"/vms/1"}), "q": frozenset({"/vms/1"})},
    )  # fmt: skip
    assert privileges(config, "u@pve", "/vms/1") == ROLES["PVEVMUser"]


def test_unknown_role_grants_nothing() -> None:
    # rule 2 and 3: a role id the cluster does not define holds no privilege
    config = _config(Acl("/vms", "group", "ops", "Vanished"))
    assert privileges(config, "u@pve", "/vms/1") == frozenset()


def test_a_user_in_no_group_gets_no_group_entry() -> None:
    # rule 2: group entries apply to the group's members only
    config = _config(Acl("/vms", "group", "ops", "PVEVMAdmin"))
    assert privileges(config, "other@pve", "/vms/1") == frozenset()
    assert allowed(config, "u@pve", "/vms/1", ["VM.Config.CPU", "VM.Audit"])


def test_root_token_is_not_root() -> None:
    # rules 1 and 5: only root@pam itself is the superuser; its tokens are tokens
    config = _config(tokens={"root@pam!t": True})
    assert privileges(config, "root@pam!t", "/vms/1") == frozenset()
