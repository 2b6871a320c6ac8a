"""The DFW reachability engine on hand-worked cases. Each case names the NSX rule it
exercises (NSX Administration Guide, "Distributed Firewall": categories, rule order, applied
to, negation, services, default rule; Policy API ``Rule``/``SecurityPolicy`` fields)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.network.model import DfwPolicy, Estate, NetVm
from app.network.reachability import can_reach
from app.network.services import Probe, ServiceSyntaxError, parse_probe
from tests.support.network_cases import (
    APP,
    DB,
    GROUPS,
    WEB,
    cond,
    default,
    estate,
    group,
    policy,
    rule,
)

A, E, INFRA, EM, ETH = "Application", "Environment", "Infrastructure", "Emergency", "Ethernet"
TCP443, TCP22, TCP3306 = Probe("TCP", 443), Probe("TCP", 22), Probe("TCP", 3306)

# (case id: the rule it exercises, policies, source, destination, probe, verdict, deciding rule)
CASES: list[tuple[str, tuple[DfwPolicy, ...], NetVm, NetVm, Probe | None, str, str | None]] = [
    (
        "default rule ALLOW decides when nothing else matches",
        (default(),),
        WEB,
        APP,
        TCP443,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "default rule DROP (changed default) decides",
        (default("DROP"),),
        WEB,
        APP,
        TCP443,
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "default rule REJECT reads as default-drop",
        (default("REJECT"),),
        WEB,
        APP,
        TCP443,
        "default-drop",
        "default-layer3-rule",
    ),
    ("no default rule in the input: unknown, said plainly", (), WEB, APP, TCP443, "unknown", None),
    (
        "a group-to-group ALLOW matches",
        (policy("p", A, 10, rule("w2a", src=["web"], dst=["app"])), default("DROP")),
        WEB,
        APP,
        TCP443,
        "allow",
        "w2a",
    ),
    (
        "the reverse direction is not allowed by a one-way rule",
        (policy("p", A, 10, rule("w2a", src=["web"], dst=["app"])), default("DROP")),
        APP,
        WEB,
        TCP443,
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "first match wins: an earlier DROP shadows a later ALLOW",
        (
            policy(
                "p",
                A,
                10,
                rule("deny", "DROP", 10, src=["web"], dst=["db"]),
                rule("allow", "ALLOW", 20, src=["web"], dst=["db"]),
            ),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "drop",
        "deny",
    ),
    (
        "rule sequence, not list order, decides",
        (
            policy(
                "p",
                A,
                10,
                rule("allow", "ALLOW", 20, src=["web"], dst=["db"]),
                rule("deny", "DROP", 10, src=["web"], dst=["db"]),
            ),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "drop",
        "deny",
    ),
    (
        "policy sequence: the lower-numbered policy is evaluated first",
        (
            policy("late", A, 50, rule("allow", src=["web"], dst=["db"])),
            policy("early", A, 5, rule("deny", "DROP", src=["web"], dst=["db"])),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "drop",
        "deny",
    ),
    (
        "category order beats sequence: Environment before Application",
        (
            policy("app-allow", A, 1, rule("allow", src=["web"], dst=["db"])),
            policy("env-deny", E, 100, rule("deny", "DROP", src=["web"], dst=["db"])),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "drop",
        "deny",
    ),
    (
        "category order: Emergency before Infrastructure",
        (
            policy("infra", INFRA, 1, rule("infra-allow", src=["web"], dst=["app"])),
            policy("quarantine", EM, 99, rule("quarantine", "DROP", dst=["app"])),
            default(),
        ),
        WEB,
        APP,
        TCP443,
        "drop",
        "quarantine",
    ),
    (
        "category order: Infrastructure before Environment",
        (
            policy("env", E, 1, rule("env-deny", "DROP", src=["web"], dst=["app"])),
            policy("infra", INFRA, 50, rule("ssh", src=["web"], dst=["app"], svc=["SSH"])),
            default(),
        ),
        WEB,
        APP,
        TCP22,
        "allow",
        "ssh",
    ),
    (
        "Ethernet (L2) ALLOW passes on to the L3 categories",
        (
            policy("l2", ETH, 1, rule("l2-allow")),
            policy("p", A, 1, rule("deny", "DROP", dst=["app"])),
            default(),
        ),
        WEB,
        APP,
        TCP443,
        "drop",
        "deny",
    ),
    (
        "Ethernet (L2) DROP decides",
        (policy("l2", ETH, 1, rule("l2-drop", "DROP", dst=["app"])), default()),
        WEB,
        APP,
        TCP443,
        "drop",
        "l2-drop",
    ),
    (
        "JUMP_TO_APPLICATION skips the rest of Environment",
        (
            policy(
                "env",
                E,
                1,
                rule("jump", "JUMP_TO_APPLICATION", 1, src=["web"]),
                rule("env-deny", "DROP", 2, src=["web"], dst=["app"]),
            ),
            policy("p", A, 1, rule("allow", src=["web"], dst=["app"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "allow",
    ),
    (
        "disabled rules are skipped",
        (
            policy(
                "p",
                A,
                1,
                rule("off", "DROP", 1, dst=["app"], disabled=True),
                rule("on", "ALLOW", 2, dst=["app"]),
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "on",
    ),
    (
        "a disabled ALLOW leaves the default DROP",
        (policy("p", A, 1, rule("off", dst=["app"], disabled=True)), default("DROP")),
        WEB,
        APP,
        TCP443,
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "ANY source matches every VM",
        (
            policy("p", A, 1, rule("any-in", src=["ANY"], dst=["db"], svc=["MySQL"])),
            default("DROP"),
        ),
        APP,
        DB,
        TCP3306,
        "allow",
        "any-in",
    ),
    (
        "ANY destination matches every VM",
        (policy("p", A, 1, rule("any-out", "DROP", src=["web"], dst=["ANY"])), default()),
        WEB,
        DB,
        TCP443,
        "drop",
        "any-out",
    ),
    (
        "ANY service matches every port",
        (
            policy("p", A, 1, rule("any-svc", src=["web"], dst=["app"], svc=["ANY"])),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("UDP", 9999),
        "allow",
        "any-svc",
    ),
    (
        "sources_excluded: every source but the group",
        (
            policy(
                "p", A, 1, rule("not-web", "DROP", src=["web"], dst=["db"], sources_excluded=True)
            ),
            default(),
        ),
        APP,
        DB,
        TCP3306,
        "drop",
        "not-web",
    ),
    (
        "sources_excluded: the excluded group itself does not match",
        (
            policy(
                "p", A, 1, rule("not-web", "DROP", src=["web"], dst=["db"], sources_excluded=True)
            ),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "destinations_excluded: every destination but the group",
        (
            policy(
                "p",
                A,
                1,
                rule("out-not-db", "DROP", src=["web"], dst=["db"], destinations_excluded=True),
            ),
            default(),
        ),
        WEB,
        APP,
        TCP443,
        "drop",
        "out-not-db",
    ),
    (
        "destinations_excluded: the excluded group passes to later rules",
        (
            policy(
                "p",
                A,
                1,
                rule("out-not-db", "DROP", src=["web"], dst=["db"], destinations_excluded=True),
            ),
            default(),
        ),
        WEB,
        DB,
        TCP443,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "raw source IP matches the VM's guest IP",
        (policy("p", A, 1, rule("ip", src=["10.0.1.10"], dst=["app"])), default("DROP")),
        WEB,
        APP,
        TCP443,
        "allow",
        "ip",
    ),
    (
        "raw source CIDR matches",
        (policy("p", A, 1, rule("cidr", src=["10.0.1.0/24"], dst=["app"])), default("DROP")),
        WEB,
        APP,
        TCP443,
        "allow",
        "cidr",
    ),
    (
        "raw source range matches",
        (
            policy("p", A, 1, rule("range", src=["10.0.1.1-10.0.1.20"], dst=["app"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "range",
    ),
    (
        "raw range that does not hold the IP does not match",
        (
            policy("p", A, 1, rule("range", src=["10.0.1.11-10.0.1.20"], dst=["app"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "raw destination CIDR matches",
        (policy("p", A, 1, rule("to-net", "REJECT", src=["web"], dst=["10.0.3.0/24"])), default()),
        WEB,
        DB,
        TCP443,
        "reject",
        "to-net",
    ),
    (
        "service: a named L4 port matches",
        (
            policy("p", A, 1, rule("https", src=["web"], dst=["app"], svc=["HTTPS"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "https",
    ),
    (
        "service: another port falls through",
        (
            policy("p", A, 1, rule("https", src=["web"], dst=["app"], svc=["HTTPS"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP22,
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "service: UDP is not TCP",
        (policy("p", A, 1, rule("dns", src=["web"], dst=["app"], svc=["DNS"])), default("DROP")),
        WEB,
        APP,
        Probe("TCP", 53),
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "service: UDP port matches",
        (policy("p", A, 1, rule("dns", src=["web"], dst=["app"], svc=["DNS"])), default("DROP")),
        WEB,
        APP,
        Probe("UDP", 53),
        "allow",
        "dns",
    ),
    (
        "service: a port inside a port range",
        (
            policy("p", A, 1, rule("rng", src=["web"], dst=["app"], svc=["app-range"])),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("TCP", 8447),
        "allow",
        "rng",
    ),
    (
        "service: a port past the range",
        (
            policy("p", A, 1, rule("rng", src=["web"], dst=["app"], svc=["app-range"])),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("TCP", 8451),
        "default-drop",
        "default-layer3-rule",
    ),
    (
        "service: inline service entry",
        (
            policy(
                "p",
                A,
                1,
                rule("inline", src=["web"], dst=["app"], service_entries=("TCP dst 8080",)),
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("TCP", 8080),
        "allow",
        "inline",
    ),
    (
        "service: ICMP entry matches ICMP",
        (
            policy("p", A, 1, rule("ping", "REJECT", src=["web"], dst=["app"], svc=["ICMP"])),
            default(),
        ),
        WEB,
        APP,
        Probe("ICMP"),
        "reject",
        "ping",
    ),
    (
        "service: IP protocol 6 matches any TCP port",
        (
            policy(
                "p", A, 1, rule("tcp", src=["web"], dst=["app"], service_entries=("IP protocol 6",))
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("TCP", 5432),
        "allow",
        "tcp",
    ),
    (
        "service: ALG FTP on 21/tcp",
        (
            policy(
                "p",
                A,
                1,
                rule("ftp", src=["web"], dst=["app"], service_entries=("ALG FTP dst 21",)),
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        Probe("TCP", 21),
        "allow",
        "ftp",
    ),
    (
        "service: nested service followed",
        (
            policy("p", A, 1, rule("bundle", src=["web"], dst=["app"], svc=["web-bundle"])),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "bundle",
    ),
    (
        "applied-to (rule level) narrows: rule not applied to either VM",
        (policy("p", A, 1, rule("db-only", "DROP", scope=["db"])), default()),
        WEB,
        APP,
        TCP443,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "applied-to (rule level) at the destination decides",
        (policy("p", A, 1, rule("db-in", "DROP", scope=["db"])), default()),
        WEB,
        DB,
        TCP443,
        "drop",
        "db-in",
    ),
    (
        "applied-to (policy level) overrides the rule's",
        (policy("p", A, 1, rule("r", "DROP", scope=["web"]), scope=["db"]), default()),
        APP,
        WEB,
        TCP443,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "applied-to (policy level) applies the rule at the source's vNIC",
        (policy("p", A, 1, rule("egress", "DROP", dst=["db"]), scope=["web"]), default()),
        WEB,
        DB,
        TCP3306,
        "drop",
        "egress",
    ),
    (
        "direction IN: not evaluated at the source's vNIC",
        (
            policy("p", A, 1, rule("in-only", "DROP", dst=["db"], direction="IN", scope=["web"])),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "direction OUT: evaluated leaving the source",
        (policy("p", A, 1, rule("out-only", "DROP", src=["web"], direction="OUT")), default()),
        WEB,
        DB,
        TCP3306,
        "drop",
        "out-only",
    ),
    (
        "direction OUT: not evaluated entering the destination",
        (
            policy("p", A, 1, rule("out-only", "DROP", dst=["db"], direction="OUT", scope=["db"])),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "both vNICs must allow: source allows, destination drops",
        (
            policy(
                "p",
                A,
                1,
                rule("web-out", src=["web"], scope=["web"]),
                rule("db-in", "DROP", 20, dst=["db"], scope=["db"]),
            ),
            default(),
        ),
        WEB,
        DB,
        TCP3306,
        "drop",
        "db-in",
    ),
    (
        "gateway policies are north-south and never decide",
        (replace(policy("gw", A, 1, rule("gw-drop", "DROP")), policy_type="gateway"), default()),
        WEB,
        APP,
        TCP443,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "no port: allow when some service is allowed",
        (policy("p", A, 1, rule("ssh", src=["web"], dst=["app"], svc=["SSH"])), default("DROP")),
        WEB,
        APP,
        None,
        "allow",
        "ssh",
    ),
    (
        "no port: a service-specific DROP does not hide other allowed traffic",
        (
            policy("p", A, 1, rule("no-ssh", "DROP", src=["web"], dst=["app"], svc=["SSH"])),
            default(),
        ),
        WEB,
        APP,
        None,
        "default-allow",
        "default-layer3-rule",
    ),
    (
        "unknown membership of an earlier DROP makes an ALLOW unknown",
        (
            policy(
                "p",
                A,
                1,
                rule("maybe", "DROP", 1, src=["untagged"]),
                rule("allow", "ALLOW", 2, dst=["app"]),
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "unknown",
        "allow",
    ),
    (
        "unknown membership of an earlier rule with the same action keeps the verdict",
        (
            policy(
                "p",
                A,
                1,
                rule("maybe", "ALLOW", 1, src=["untagged"]),
                rule("allow", "ALLOW", 2, dst=["app"]),
            ),
            default("DROP"),
        ),
        WEB,
        APP,
        TCP443,
        "allow",
        "allow",
    ),
]
UNTAGGED = group("untagged", cond("ComputerName", "EQUALS", "x"))


@pytest.mark.parametrize(
    ("policies", "src", "dst", "probe", "verdict", "rule_name"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_hand_worked_case(
    policies: tuple[DfwPolicy, ...],
    src: NetVm,
    dst: NetVm,
    probe: Probe | None,
    verdict: str,
    rule_name: str | None,
) -> None:
    decision = can_reach(estate(*policies, groups=(*GROUPS, UNTAGGED)), src, dst, probe)
    assert (decision.verdict, decision.rule.name if decision.rule else None) == (verdict, rule_name)


def test_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_the_explanation_lists_every_rule_considered_and_why() -> None:
    policies = (
        policy("p", A, 1, rule("off", "DROP", 1, disabled=True),
               rule("ssh", "ALLOW", 2, src=["web"], dst=["app"], svc=["SSH"])),
        default("DROP"),
    )  # fmt: skip
    decision = can_reach(estate(*policies), WEB, APP, TCP443)
    lines = [(c.name, c.at, c.outcome, c.why) for c in decision.explanation]
    assert lines == [
        ("off", "source", "skipped", "disabled"),
        ("ssh", "source", "no match", "services do not include tcp/443"),
        ("default-layer3-rule", "source", "match", "DROP decides at the source"),
    ]


def test_the_missing_default_rule_is_said_plainly() -> None:
    decision = can_reach(estate(), WEB, APP, TCP443)
    assert any(
        "default rule (default-layer3-section) is not in the input" in n for n in decision.notes
    )


def test_unknown_tag_membership_is_reported_in_the_explanation() -> None:
    blind = replace(APP, tags=None)
    policies = (policy("p", A, 1, rule("to-app", "DROP", dst=["app"])), default())
    decision = can_reach(estate(*policies, vms=(WEB, blind)), WEB, blind, TCP443)
    assert decision.verdict == "unknown"
    assert "Condition on Tag without NSX inventory" in decision.explanation[0].why


def test_a_tag_group_from_the_fixture_style() -> None:
    prod = Estate(vms={DB.id: DB}, groups={GROUPS[3].path: GROUPS[3]})
    assert can_reach(prod, DB, DB, TCP443).verdict == "unknown"  # no rules, no default


@pytest.mark.parametrize(
    ("text", "probe"),
    [
        ("443/tcp", Probe("TCP", 443)),
        ("tcp/22", Probe("TCP", 22)),
        ("53/UDP", Probe("UDP", 53)),
        ("icmp", Probe("ICMP")),
    ],
)
def test_port_syntax(text: str, probe: Probe) -> None:
    assert parse_probe(text) == probe


@pytest.mark.parametrize("text", ["443", "tcp", "70000/tcp", "443/sctp", ""])
def test_bad_port_syntax(text: str) -> None:
    with pytest.raises(ServiceSyntaxError):
        parse_probe(text)
