"""synthframe's HTTP API: ``create_app()`` builds the Flask app, ``synthframe serve`` runs it.

Needs the ``server`` extra (``pip install "synthframe[server]"``). Importing this
package does not import Flask; :func:`create_app` does. In production, run it
under a WSGI server::

    gunicorn -w 2 -b 0.0.0.0:8000 'synthframe.server:create_app()'

The routes, limits and error shapes are described in ``docs/server.md`` and served
as an OpenAPI document at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import ServerConfig

if TYPE_CHECKING:
    import flask

__all__ = ["ServerConfig", "create_app"]


def create_app(config: ServerConfig | None = None) -> flask.Flask:
    """The Flask app, with ``config``'s limits (from ``SYNTHFRAME_*`` environment variables when None)."""
    from .app import create_app as _create_app

    return _create_app(config)
