"""The HTTP service (FastAPI): the JSON API under ``/api`` and the viewer at ``/``."""

from app.service.api import create_app

__all__ = ["create_app"]
