"""Effective vSphere permissions: vSphere's rules (``rules``) applied to the graph (``engine``)."""

from app.permissions.engine import Answer, PermissionEngine, PermissionQueryError, Principal

__all__ = ["Answer", "PermissionEngine", "PermissionQueryError", "Principal"]
