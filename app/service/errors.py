"""Every error as JSON ``{"error": "..."}``, never a stack trace; a request body size limit."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class ErrorOut(BaseModel):
    """An error answer."""

    error: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given status codes."""
    return {code: {"model": ErrorOut} for code in codes}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "invalid request: " + "; ".join(parts)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413 (by the
    ``Content-Length`` header, and by counting when the body is streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what is received."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.limit:
                    await self._refuse(scope, receive, send)
                    return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counting, send)

    def _message(self) -> str:
        return f"the request body is larger than {self.limit} bytes"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            status_code=413,
            content={"error": self._message()},
        )
        await response(scope, receive, send)


def install(api: FastAPI, max_body_bytes: int) -> None:
    """Add the error handlers and the body limit to the application."""

    @api.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": str(exc.detail)},
            headers=getattr(exc, "headers", None),
        )

    @api.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": _validation_message(exc)})

    @api.exception_handler(UnicodeEncodeError)
    async def _not_unicode(_: Request, exc: UnicodeEncodeError) -> JSONResponse:
        return JSONResponse(
            status_code=400,
            content={"error": "text must be valid Unicode (no lone surrogate such as \\udc00)"},
        )

    @api.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            status_code=500, content={"error": "internal error (logged on the server)"}
        )

    api.add_middleware(BodyLimit, limit=max_body_bytes)
