"""Extract the Proxmox VE API schema of the endpoints authmap reads, from pve-docs.

Proxmox publishes its whole REST API schema as ``api-viewer/apidata.js`` in the public
``proxmox/pve-docs`` repository (``const apiSchema = [...]``, JSON inside). The test fixtures
keep only the endpoints authmap reads, with the repository, path and commit they came from,
so a fixture payload can be checked against the vendor's own schema without the network::

    git -C pve-docs show COMMIT:api-viewer/apidata.js > apidata.js
    python tools/proxmox/extract_schema.py apidata.js --commit COMMIT --version 9.1.3 \
        --out tests/fixtures/proxmox/schema/pve9.json

For each endpoint the GET ``returns`` schema and ``permissions`` are kept, and for
endpoints whose GET schema is thin (``/cluster/ha/rules`` lists only ids;
``/access/domains/{realm}``
says only "object") the ``parameters`` of their POST (create) or else PUT (update) too: they are
the documented properties of one item.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ENDPOINTS = (
    "/version",
    "/nodes",
    "/cluster/status",
    "/cluster/resources",
    "/nodes/{node}/qemu/{vmid}/config",
    "/nodes/{node}/lxc/{vmid}/config",
    "/pools",
    "/pools/{poolid}",
    "/storage",
    "/access/users",
    "/access/groups",
    "/access/groups/{groupid}",
    "/access/domains",
    "/access/domains/{realm}",
    "/access/roles",
    "/access/acl",
    "/cluster/ha/resources",
    "/cluster/ha/groups",
    "/cluster/ha/rules",
    "/cluster/firewall/options",
    "/cluster/firewall/rules",
    "/cluster/firewall/groups",
    "/cluster/firewall/groups/{group}",
    "/cluster/firewall/ipset",
    "/cluster/firewall/ipset/{name}",
    "/cluster/firewall/aliases",
    "/nodes/{node}/firewall/rules",
    "/nodes/{node}/qemu/{vmid}/firewall/options",
    "/nodes/{node}/qemu/{vmid}/firewall/rules",
    "/cluster/sdn/zones",
    "/cluster/sdn/vnets",
    "/cluster/sdn/vnets/{vnet}/subnets",
)


def load_api(path: Path) -> dict[str, dict[str, Any]]:
    """Every endpoint of ``apidata.js`` by its path."""
    text = path.read_text(encoding="utf-8")
    tree = json.loads(text[text.index("[") : text.rindex("]") + 1])
    found: dict[str, dict[str, Any]] = {}
    stack = list(tree)
    while stack:
        node = stack.pop()
        found[node["path"]] = node
        stack.extend(node.get("children", []))
    return found


def extract(api: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The kept part of each endpoint authmap reads (absent ones are left out: PVE 8 has no
    ``/cluster/ha/rules``)."""
    endpoints: dict[str, Any] = {}
    for path in ENDPOINTS:
        info = api.get(path, {}).get("info", {})
        if "GET" not in info:
            continue
        kept: dict[str, Any] = {
            "returns": info["GET"].get("returns", {}),
            "permissions": info["GET"].get("permissions", {}),
        }
        item = _item_properties(api, path)
        if item:
            kept["item"] = {"type": "object", "properties": item}
        endpoints[path] = kept
    return endpoints


def _item_properties(api: dict[str, dict[str, Any]], path: str) -> dict[str, Any]:
    """The documented properties of one item of ``path``: its own POST (create) or PUT
    (update) parameters, and for a detail path (``/access/domains/{realm}``) its
    collection's POST parameters as well (an update call does not list ``type``)."""
    info = api.get(path, {}).get("info", {})
    found: dict[str, Any] = {}
    parent = path.rsplit("/", 1)[0]
    if path.endswith("}") and "POST" in api.get(parent, {}).get("info", {}):
        found.update(api[parent]["info"]["POST"].get("parameters", {}).get("properties", {}))
    for method in ("PUT", "POST"):
        if method in info:
            found.update(info[method].get("parameters", {}).get("properties", {}))
            break
    return found


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apidata", type=Path)
    parser.add_argument("--commit", required=True, help="pve-docs commit the file came from")
    parser.add_argument("--version", required=True, help="the PVE version of that commit")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    document = {
        "source": {
            "repository": "github.com/proxmox/pve-docs",
            "path": "api-viewer/apidata.js",
            "commit": args.commit,
            "pve_version": args.version,
        },
        "endpoints": extract(load_api(args.apidata)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
