"""``synthframe serve``: run the HTTP API and the page on this machine.

Importing this module needs only click; Flask is imported when the command runs,
and a missing Flask is one line naming the extra to install. The main CLI adds
the command with ``main.add_command(serve)``.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from typing import Any

import click

from ..errors import SynthframeError
from .config import ServerConfig, env_var, parse_size

INSTALL_HINT = 'pip install "synthframe[server]"'


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(param.name or "max_body_bytes", value)
    except SynthframeError as exc:
        raise click.BadParameter(exc.message) from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this machine only.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--max-body-bytes", callback=_size, metavar="SIZE",
              help=f"Largest request body, e.g. 16M [env {env_var('max_body_bytes')}; default 16M].")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help=f"Most rows one request may generate, all tables together [env {env_var('max_rows')}; "
                   f"default 1,000,000].")
@click.option("--max-tables", type=click.IntRange(min=1), default=None,
              help=f"Most tables in a schema or samples [env {env_var('max_tables')}; default 50].")
@click.option("--max-columns", type=click.IntRange(min=1), default=None,
              help=f"Most columns in one table [env {env_var('max_columns')}; default 200].")
@click.option("--time-budget", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help=f"Seconds one request may take [env {env_var('time_budget')}; default 60].")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help=f"Let pages from ORIGIN (e.g. http://localhost:5173) call the API; repeat for several "
                   f"[env {env_var('cors_origins')}, comma-separated; default: none, CORS off].")
@click.option("--model-cache", type=click.IntRange(min=0), default=None,
              help=f"Fitted models kept in memory for repeated requests; 0 turns it off "
                   f"[env {env_var('model_cache')}; default 16].")
def serve(host: str, port: int, cors_origins: tuple[str, ...], **limits: Any) -> None:
    """Serve the web page and the HTTP API (POST /api/generate, /api/analyze, /api/preview).

    This is Flask's development server, threaded, for one machine or a small team. In production
    run the app under a WSGI server instead:

        gunicorn -w 2 -b 0.0.0.0:8000 'synthframe.server:create_app()'

    with the limits set through the SYNTHFRAME_* environment variables.
    """
    try:
        import flask  # noqa: F401
        from werkzeug.serving import run_simple
    except ImportError:
        click.echo(f"error: the server needs Flask, which is not installed; install it with {INSTALL_HINT}",
                   err=True)
        sys.exit(2)
    from . import create_app
    from .app import access_log_handler

    try:
        config = ServerConfig.from_env(cors_origins=cors_origins or None, **limits)
        app = create_app(config)
    except SynthframeError as exc:
        click.echo(f"error: {' '.join(exc.message.split())}", err=True)
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("synthframe.server").setLevel(logging.INFO)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"synthframe {_version()} serving on http://{shown}:{port}/ (Ctrl+C to stop)")
    if not _is_loopback(host):
        click.echo("note: listening beyond this machine; for production, run it under gunicorn "
                   "(see `synthframe serve --help`).")
    run_simple(host, port, app, threaded=True, request_handler=access_log_handler())


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _version() -> str:
    from .. import __version__

    return __version__
