"""Write the CRDs authmap's Kubernetes tests install, from Go modules (the Go module proxy only).

Usage: ``python3 crds.py OUTDIR``. Writes one YAML file per CRD:

* ``kubevirt-vm.yaml``: KubeVirt's real VirtualMachine CRD. ``kubevirt.io/kubevirt`` ships no CRD
  file; its ``validations_generated.go`` holds the generated ``openAPIV3Schema`` of each CRD in a
  Go map, and this copies what ``components.NewVirtualMachineCrd()`` builds around it (v1 +
  deprecated v1alpha3, short names, printer columns, status subresource).
* ``nad.yaml``: Multus NetworkAttachmentDefinition, ``artifacts/networks-crd.yaml`` of
  ``github.com/k8snetworkplumbingwg/network-attachment-definition-client``.
* ``multi-networkpolicy.yaml``: the CRD document of ``scheme.yml`` in
  ``github.com/k8snetworkplumbingwg/multi-networkpolicy``.
* ``anp.yaml`` / ``banp.yaml``: AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) from
  ``sigs.k8s.io/network-policy-api`` ``config/crd/standard`` (v0.1.x; v0.3 replaced them with
  ClusterNetworkPolicy).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

KUBEVIRT = "kubevirt.io/kubevirt@v1.8.0"
NAD = "github.com/k8snetworkplumbingwg/network-attachment-definition-client@v1.7.7"
MNP = "github.com/k8snetworkplumbingwg/multi-networkpolicy@v1.0.1"
NPAPI = "sigs.k8s.io/network-policy-api@v0.1.7"
VALIDATIONS = "pkg/virt-operator/resource/generate/components/validations_generated.go"
STANDARD = "config/crd/standard/policy.networking.k8s.io_"


def module_dir(module: str) -> Path:
    """Download ``module@version`` (or find it in the module cache) and return its directory."""
    out = subprocess.run(
        ["go", "mod", "download", "-json", module], capture_output=True, text=True, check=False
    )
    info = json.loads(out.stdout or "{}")
    if out.returncode != 0 or "Dir" not in info:
        raise SystemExit(f"go mod download {module} failed: {info.get('Error') or out.stderr}")
    return Path(info["Dir"])


def kubevirt_vm_crd(go_file: Path) -> dict[str, Any]:
    """The VirtualMachine CRD around the schema generated into ``go_file``."""
    src = go_file.read_text()
    found = re.search(r'^\t"virtualmachine": `(.*?)`,$', src, re.S | re.M)
    if not found:
        raise SystemExit(f"no virtualmachine validation in {go_file}")
    validation = yaml.safe_load(found.group(1))  # {"openAPIV3Schema": {...}}
    columns = [
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
        {"name": "Status", "description": "Human Readable Status", "type": "string",
         "jsonPath": ".status.printableStatus"},
        {"name": "Ready", "type": "string",
         "jsonPath": ".status.conditions[?(@.type=='Ready')].status"},
    ]

    def version(name: str, storage: bool, deprecated: bool = False) -> dict[str, Any]:
        v: dict[str, Any] = {
            "name": name, "served": True, "storage": storage, "schema": copy.deepcopy(validation),
            "additionalPrinterColumns": copy.deepcopy(columns), "subresources": {"status": {}},
        }
        if deprecated:
            v["deprecated"] = True
            v["deprecationWarning"] = (
                "kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release."
            )
        return v

    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "virtualmachines.kubevirt.io", "labels": {"kubevirt.io": ""}},
        "spec": {
            "group": "kubevirt.io", "scope": "Namespaced",
            "names": {"plural": "virtualmachines", "singular": "virtualmachine",
                      "kind": "VirtualMachine", "shortNames": ["vm", "vms"], "categories": ["all"]},
            "versions": [version("v1", True), version("v1alpha3", False, True)],
        },
    }


def only_crds(path: Path) -> list[dict[str, Any]]:
    """The CustomResourceDefinition documents of a multi-document YAML file."""
    docs = [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    crds = [d for d in docs if d.get("kind") == "CustomResourceDefinition"]
    if not crds:
        raise SystemExit(f"no CustomResourceDefinition in {path}")
    return crds


def main(out: Path) -> None:
    """Write every CRD file into ``out`` (each written whole, then renamed)."""
    out.mkdir(parents=True, exist_ok=True)
    npapi = module_dir(NPAPI)
    files = {
        "kubevirt-vm.yaml": [kubevirt_vm_crd(module_dir(KUBEVIRT) / VALIDATIONS)],
        "nad.yaml": only_crds(module_dir(NAD) / "artifacts" / "networks-crd.yaml"),
        "multi-networkpolicy.yaml": only_crds(module_dir(MNP) / "scheme.yml"),
        "anp.yaml": only_crds(npapi / f"{STANDARD}adminnetworkpolicies.yaml"),
        "banp.yaml": only_crds(npapi / f"{STANDARD}baselineadminnetworkpolicies.yaml"),
    }
    for name, docs in files.items():
        tmp = out / f".{name}.tmp"
        tmp.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        tmp.replace(out / name)
        print(f"crds: {out / name}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: crds.py OUTDIR")
    main(Path(sys.argv[1]))
