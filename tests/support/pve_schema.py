"""Check a Proxmox VE API payload against Proxmox's own published schema (``apidata.js``).

``tools/proxmox/extract_schema.py`` keeps the schema of the endpoints authmap reads in
``tests/fixtures/proxmox/schema/pve{8,9}.json``. This module applies PVE's schema dialect to a
fixture payload, so a replayed answer cannot say what the real API cannot:

- ``type`` (``boolean`` is 0/1 as PVE sends it), ``enum``, ``pattern``, ``minimum``/``maximum``,
  ``maxLength``; properties are required unless ``optional``; a property named ``net[n]``
  stands for ``net0``, ``net1``, …; keys the schema does not define are errors unless
  ``additionalProperties`` allows them (PVE rejects undefined properties by default);
- property strings (``format`` given as a dict: ``virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=20``)
  are parsed as PVE parses them: ``key=value`` parts, a bare part for the ``default_key``, keys
  that are an ``alias`` of another, and ``keyAlias`` keys (``virtio=MAC`` sets ``model=virtio`` and
  ``macaddr=MAC``);
- where an endpoint's GET schema is thin (a list of ids, or "object"), each item is checked
  against the documented properties of its create/update call as well (``item``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "proxmox" / "schema"
Schema = dict[str, Any]
TRUE_FALSE = {"1", "0", "yes", "no", "on", "off", "true", "false"}


@cache
def load(version: int) -> Schema:
    """The extracted schema document of PVE ``version`` (8 or 9)."""
    return dict(json.loads((SCHEMAS / f"pve{version}.json").read_text()))


def endpoint_for(path: str, endpoints: dict[str, Schema]) -> str | None:
    """The endpoint template a concrete path belongs to (``/nodes/pve1/qemu/101/config`` →
    ``/nodes/{node}/qemu/{vmid}/config``); literal segments win over placeholders."""
    parts = path.strip("/").split("/")
    best: tuple[int, str] | None = None
    for template in endpoints:
        pattern = template.strip("/").split("/")
        if len(pattern) != len(parts):
            continue
        if all(p.startswith("{") or p == s for p, s in zip(pattern, parts, strict=True)):
            literal = sum(not p.startswith("{") for p in pattern)
            if best is None or literal > best[0]:
                best = (literal, template)
    return best[1] if best else None


def check_payload(version: int, path: str, data: Any) -> list[str]:
    """Every way ``data`` (the ``data`` member of a GET answer on ``path``) breaks the schema."""
    endpoints = load(version)["endpoints"]
    template = endpoint_for(path, endpoints)
    if template is None:
        return [f"{path}: no such endpoint in the PVE {version} schema"]
    entry = endpoints[template]
    schema = _with_item(entry["returns"], entry.get("item"))
    errors: list[str] = []
    check(data, schema, path, errors)
    return errors


def _with_item(returns: Schema, item: Schema | None) -> Schema:
    """The GET schema widened by the item's documented properties (all optional there)."""
    if not item or "properties" not in item:
        return returns
    extra = {k: {**v, "optional": 1} for k, v in item["properties"].items() if k != "delete"}
    if returns.get("type") == "array":
        inner = returns.get("items", {})
        merged = {**extra, **inner.get("properties", {})}
        return {**returns, "items": {**inner, "type": "object", "properties": merged}}
    if returns.get("type", "object") == "object":
        return {
            **returns,
            "type": "object",
            "properties": {**extra, **returns.get("properties", {})},
        }
    return returns


def check(value: Any, schema: Schema, where: str, errors: list[str]) -> None:
    """Append to ``errors`` each way ``value`` breaks ``schema`` (PVE's dialect)."""
    kind = schema.get("type")
    if kind == "array":
        if not isinstance(value, list):
            errors.append(f"{where}: expected an array")
            return
        for index, element in enumerate(value):
            check(element, schema.get("items", {}), f"{where}[{index}]", errors)
    elif kind == "object":
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object")
            return
        _check_object(value, schema, where, errors)
    elif kind in {"string", "integer", "number", "boolean", "null"}:
        _check_scalar(value, schema, where, errors)


def _property_schema(properties: Schema, key: str) -> Schema | None:
    if key in properties:
        return dict(properties[key])
    match = re.fullmatch(r"([a-z_-]+?)(\d+)", key)
    if match and f"{match.group(1)}[n]" in properties:
        return dict(properties[f"{match.group(1)}[n]"])
    return None


def _check_object(value: dict[str, Any], schema: Schema, where: str, errors: list[str]) -> None:
    properties = schema.get("properties")
    if not properties:
        return
    for key, element in value.items():
        sub = _property_schema(properties, key)
        if sub is None:
            if not schema.get("additionalProperties"):
                errors.append(f"{where}.{key}: not a property the schema defines")
            continue
        check(element, sub, f"{where}.{key}", errors)
    for key, sub in properties.items():
        if "[n]" not in key and not sub.get("optional") and key not in value:
            errors.append(f"{where}.{key}: required and missing")


def _check_scalar(value: Any, schema: Schema, where: str, errors: list[str]) -> None:
    kind = schema["type"]
    if kind == "boolean":
        ok = value in (0, 1) and not isinstance(value, float)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "null":
        ok = value is None
    else:
        ok = isinstance(value, str)
    if not ok:
        errors.append(f"{where}: {value!r} is not of type {kind}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if kind in {"integer", "number"}:
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} is above the maximum {schema['maximum']}")
    if kind == "string":
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.fullmatch(perl_pattern(schema["pattern"]), value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if isinstance(schema.get("format"), dict):
            check_property_string(value, schema["format"], where, errors)


def perl_pattern(pattern: str) -> str:
    """A Perl regular expression as PVE's schema prints it (``(?^:…)``, ``\\z``) in Python's
    syntax."""
    return pattern.replace("(?^:", "(?:").replace("(?^i:", "(?i:").replace("\\z", "\\Z")


def parse_property_string(text: str, fmt: Schema) -> dict[str, str]:
    """``virtio=BC:24:11:00:00:01,bridge=vmbr0`` → ``{"model": "virtio", "macaddr": …,
    "bridge": "vmbr0"}``, resolving the default key, aliases and key aliases as PVE does."""
    default_key = next((k for k, v in fmt.items() if v.get("default_key")), None)
    found: dict[str, str] = {}
    for part in filter(None, text.split(",")):
        key, sep, val = part.partition("=")
        if not sep:
            if default_key is None:
                raise ValueError(f"{part!r} has no key and the format has no default key")
            key, val = default_key, part
        spec = fmt.get(key, {})
        if "keyAlias" in spec:
            found[spec["keyAlias"]] = key
            key = spec["alias"]
        elif "alias" in spec:
            key = spec["alias"]
        if key in found:
            raise ValueError(f"{key!r} is given twice")
        found[key] = val
    return found


def check_property_string(text: str, fmt: Schema, where: str, errors: list[str]) -> None:
    """Append each way the property string ``text`` breaks the format ``fmt``."""
    try:
        parsed = parse_property_string(text, fmt)
    except ValueError as exc:
        errors.append(f"{where}: {exc}")
        return
    for key, raw in parsed.items():
        spec = fmt.get(key)
        if spec is None:
            errors.append(f"{where}: {key!r} is not a key of this property string")
            continue
        _check_scalar(_typed(raw, spec), spec, f"{where}:{key}", errors)
    for key, spec in fmt.items():
        if not spec.get("optional") and "alias" not in spec and key not in parsed:
            errors.append(f"{where}: {key!r} is required in this property string")


def _typed(raw: str, spec: Schema) -> Any:
    """A property-string value as the type its key declares (or left a string to fail)."""
    kind = spec.get("type")
    if kind == "boolean" and raw.lower() in TRUE_FALSE:
        return int(raw.lower() in {"1", "yes", "on", "true"})
    if kind == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return float(raw)
    return raw
