"""Tag categories, tags and the objects they are attached to, from the vAPI REST endpoint.

vCenter 7.0U2+ serves ``/api/...``; older vCenters (and govmomi's simulator) only the legacy
``/rest/com/vmware/...`` paths, whose answers wrap the payload in ``{"value": ...}``. The modern
paths are tried first; a 404 on ``POST /api/session`` switches to the legacy ones.

Entry point: :func:`collect_tags`. Nothing here raises: failures become a ``Tag`` gap, with
neither the password nor the session id in its text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from app.records import vcenter as r
from app.records.contract import GapSink, Sink
from ingest.tls import TlsError
from ingest.vcenter.connection import VCenterTarget
from ingest.vcenter.ids import Ids
from ingest.vcenter.properties import chunks

log = logging.getLogger(__name__)

SESSION_HEADER = "vmware-api-session-id"
TIMEOUT_S = 60.0
TAGS_PER_CALL = 100
"""Tag ids per ``list-attached-objects-on-tags`` call."""


@dataclass(frozen=True)
class Flavor:
    """The paths of one generation of the vAPI REST interface."""

    name: str
    session: str
    category: str
    category_item: str
    tag: str
    tag_item: str
    attached_on_tags: str
    wrapped: bool


MODERN = Flavor(
    name="/api",
    session="/api/session",
    category="/api/cis/tagging/category",
    category_item="/api/cis/tagging/category/{id}",
    tag="/api/cis/tagging/tag",
    tag_item="/api/cis/tagging/tag/{id}",
    attached_on_tags="/api/cis/tagging/tag-association?action=list-attached-objects-on-tags",
    wrapped=False,
)
LEGACY = Flavor(
    name="/rest",
    session="/rest/com/vmware/cis/session",
    category="/rest/com/vmware/cis/tagging/category",
    category_item="/rest/com/vmware/cis/tagging/category/id:{id}",
    tag="/rest/com/vmware/cis/tagging/tag",
    tag_item="/rest/com/vmware/cis/tagging/tag/id:{id}",
    attached_on_tags=(
        "/rest/com/vmware/cis/tagging/tag-association?~action=list-attached-objects-on-tags"
    ),
    wrapped=True,
)


class TagCollectionError(Exception):
    """A failure already phrased for a gap (no secrets in it)."""


class VapiSession:
    """A logged-in vAPI session over an ``httpx.Client``; :meth:`login` picks the flavor."""

    def __init__(self, client: httpx.Client, target: VCenterTarget) -> None:
        self.client = client
        self.target = target
        host = target.server
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        self.base = f"https://{host}:{target.port}"
        self.where = f"vAPI at {target.server}:{target.port}"
        self.flavor: Flavor | None = None
        self._token: str | None = None

    # -- session ---------------------------------------------------------------------------
    def login(self) -> Flavor:
        """Create a session (basic auth), modern paths first, legacy on a 404."""
        for flavor in (MODERN, LEGACY):
            response = self._send("POST", flavor.session, auth=True)
            if response.status_code == httpx.codes.NOT_FOUND and flavor is MODERN:
                log.debug("%s has no %s; using the legacy /rest paths", self.where, flavor.session)
                continue
            if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
                raise TagCollectionError(
                    f"{self.where} refused the credentials of user {self.target.user!r} "
                    f"(HTTP {response.status_code})"
                )
            self.flavor = flavor
            token = self._payload(response, flavor.session)
            if not isinstance(token, str) or not token:
                raise TagCollectionError(f"{self.where} returned no session id")
            self._token = token
            return flavor
        raise TagCollectionError(f"{self.where} serves neither /api nor /rest sessions")

    def logout(self) -> None:
        """Delete the session (errors ignored: it is being discarded anyway)."""
        if self._token is None or self.flavor is None:
            return
        try:
            self._send("DELETE", self.flavor.session)
        except TagCollectionError as exc:
            log.debug("vAPI logout failed: %s", exc)
        finally:
            self._token = None

    # -- calls -----------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        """``GET`` and unwrap; raise :class:`TagCollectionError` on any failure."""
        return self._payload(self._send("GET", path), path)

    def post(self, path: str, body: Any) -> Any:
        """``POST`` a JSON body and unwrap; raise :class:`TagCollectionError` on any failure."""
        return self._payload(self._send("POST", path, body=body), path)

    def get_optional(self, path: str) -> Any | None:
        """Like :meth:`get`, but ``None`` for a 404 (the object was deleted meanwhile)."""
        response = self._send("GET", path)
        if response.status_code == httpx.codes.NOT_FOUND:
            log.info("%s: %s is gone (404), skipped", self.where, path)
            return None
        return self._payload(response, path)

    def _send(
        self, method: str, path: str, *, body: Any = None, auth: bool = False
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers[SESSION_HEADER] = self._token
        try:
            return self.client.request(
                method,
                self.base + path,
                headers=headers,
                json=body,
                auth=(self.target.user, self.target.password) if auth else None,
            )
        except httpx.HTTPError as exc:
            text = str(exc) or type(exc).__name__
            if "CERTIFICATE_VERIFY_FAILED" in text:
                raise TagCollectionError(
                    f"TLS verification of {self.where} failed ({text}): pass --ca-file with "
                    "its CA certificate, or --insecure to skip verification"
                ) from None
            if "SSL" in text:
                raise TagCollectionError(
                    f"TLS handshake with {self.where} failed: {text}"
                ) from None
            raise TagCollectionError(f"cannot reach {self.where}: {text}") from None

    def _payload(self, response: httpx.Response, path: str) -> Any:
        short = path.split("?", 1)[0]
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise TagCollectionError(
                f"{self.where} refused {short} for user {self.target.user!r} "
                f"(HTTP {response.status_code})"
            )
        if not response.is_success:
            raise TagCollectionError(
                f"{self.where} answered HTTP {response.status_code} to {short}"
            )
        if not response.content:
            return None
        try:
            data = response.json()
        except ValueError:
            raise TagCollectionError(f"{self.where} answered non-JSON to {short}") from None
        if self.flavor is not None and self.flavor.wrapped:
            return data.get("value") if isinstance(data, dict) else None
        return data


def collect_tags(
    target: VCenterTarget,
    ids: Ids,
    sink: Sink,
    gap: GapSink,
    *,
    client: httpx.Client | None = None,
) -> None:
    """Write every :class:`TagCategory`, then every :class:`Tag` with the ids
    (``<vc>:<moref>``) of the objects it is attached to.

    TLS follows ``target`` (``ca_file`` / ``insecure``) unless a ``client`` is passed, which
    is then used as is and left open. Failures become a ``Tag`` gap; nothing is raised.
    """
    if client is None:
        try:
            http = httpx.Client(verify=target.ssl_context(), timeout=TIMEOUT_S)
        except (OSError, ValueError, TlsError) as exc:  # e.g. an unreadable --ca-file
            gap("Tag", f"cannot set up TLS for vAPI at {target.server}:{target.port}: {exc}", None)
            return
    else:
        http = client
    session = VapiSession(http, target)
    try:
        flavor = session.login()
        log.debug("%s: using %s paths", session.where, flavor.name)
        _collect(session, flavor, ids, sink)
    except TagCollectionError as exc:
        gap("Tag", _scrub(str(exc), session), None)
    except Exception as exc:
        log.debug("tag collection failed", exc_info=exc)
        gap("Tag", _scrub(f"{session.where}: {type(exc).__name__}: {exc}", session), None)
    finally:
        session.logout()
        if client is None:
            http.close()


def _collect(session: VapiSession, flavor: Flavor, ids: Ids, sink: Sink) -> None:
    for category_id in _id_list(session.get(flavor.category), flavor.category):
        data = session.get_optional(flavor.category_item.format(id=_quote(category_id)))
        if data is not None:
            sink(category_record(data, ids))
    tags: list[dict[str, Any]] = []
    for tag_id in _id_list(session.get(flavor.tag), flavor.tag):
        data = session.get_optional(flavor.tag_item.format(id=_quote(tag_id)))
        if data is not None:
            tags.append(data)
    attached: dict[str, list[str]] = {}
    for batch in chunks([str(t["id"]) for t in tags], TAGS_PER_CALL):
        answer = session.post(flavor.attached_on_tags, {"tag_ids": batch})
        for entry in answer or []:
            objects = entry.get("object_ids") or []
            attached[str(entry.get("tag_id"))] = sorted(
                {f"{ids.vc}:{o['id']}" for o in objects if o.get("id")}
            )
    for data in tags:
        sink(tag_record(data, ids, attached.get(str(data["id"]), [])))


def category_record(data: dict[str, Any], ids: Ids) -> r.TagCategory:
    """The record of one category as ``GET .../category/{id}`` returns it."""
    category_id = str(data["id"])
    return r.TagCategory(
        id=f"{ids.vc}:tagcat:{category_id}",
        category_id=category_id,
        name=data["name"],
        description=data.get("description") or None,
        cardinality=data.get("cardinality"),
        associable_types=sorted(data.get("associable_types") or []),
    )


def tag_record(data: dict[str, Any], ids: Ids, attached_to: Sequence[str]) -> r.Tag:
    """The record of one tag as ``GET .../tag/{id}`` returns it, with its attached objects."""
    tag_id = str(data["id"])
    return r.Tag(
        id=f"{ids.vc}:tag:{tag_id}",
        tag_id=tag_id,
        name=data["name"],
        description=data.get("description") or None,
        category=f"{ids.vc}:tagcat:{data['category_id']}",
        attached_to=list(attached_to),
    )


def _id_list(data: Any, path: str) -> list[str]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise TagCollectionError(f"unexpected answer to {path}: not a list of ids")
    return sorted(str(item) for item in data)


def _quote(identifier: str) -> str:
    return quote(identifier, safe=":")


def _scrub(text: str, session: VapiSession) -> str:
    """``text`` without the password or session id, on one line."""
    for secret in (session.target.password, session._token):
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())
