"""The Flask application: routes, error mapping, in-memory uploads, streamed downloads.

Routes::

    GET  /                    the web page (static/index.html), or a placeholder until it is built
    GET  /api/health          {"status": "ok", "version", "limits"}
    GET  /api/openapi.json    the OpenAPI 3 document of these routes
    POST /api/generate        tables as {table: [records]} (json) or a zip of one file per table
    POST /api/analyze         what the model learned, per table and column, and the model itself
    POST /api/preview         the first rows of every table at the requested counts

Every error is JSON ``{"error", "table", "column"}`` (plus ``"limit"`` when a limit
was hit) with a 4xx status; a 500 would be a bug, and its body names only the
exception's type. Uploads are parsed into memory (never spooled to disk), and the
only log lines are the method, path and status of each request (see
:func:`access_log_handler`) and, for a bug, the exception's type.
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException

from .. import __version__
from ..errors import SynthframeError
from .config import MIB, ServerConfig, ServerConfigError, how_to_set
from .errors import status_of
from .inputs import read_inputs
from .openapi import openapi_document
from .service import Deadline, ModelCache, analysis, fitted_model, generate_files, preview, remove_directory

logger = logging.getLogger("synthframe.server")
STATIC_DIR = Path(__file__).resolve().parent / "static"
_CHUNK = 1 << 16

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>synthframe</title></head>
<body>
<main>
<h1>synthframe</h1>
<p>The web page is not built in this installation. The HTTP API is running:
see <a href="/api/openapi.json">/api/openapi.json</a> and <a href="/api/health">/api/health</a>.</p>
<pre>curl -X POST -H 'Content-Type: application/json' -d @request.json http://HOST:PORT/api/generate</pre>
</main>
</body>
</html>
"""


class InMemoryRequest(flask.Request):
    """A request whose uploaded files are held in memory, never spooled to a temporary file.

    The body is bounded by ``MAX_CONTENT_LENGTH`` before any of it is read, so memory is too.
    """

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> io.BytesIO:
        return io.BytesIO()


def create_app(config: ServerConfig | None = None) -> flask.Flask:
    """A Flask app serving the API and the page with ``config``'s limits (``ServerConfig.from_env()`` if None)."""
    config = ServerConfig.from_env() if config is None else config
    app = flask.Flask("synthframe.server", static_folder=str(STATIC_DIR), static_url_path="/static")
    app.request_class = InMemoryRequest
    app.config.update(MAX_CONTENT_LENGTH=config.max_body_bytes, MAX_FORM_MEMORY_SIZE=config.max_body_bytes)
    app.extensions["synthframe"] = {"config": config, "cache": ModelCache(config.model_cache)}
    cache: ModelCache = app.extensions["synthframe"]["cache"]
    if config.cors_origins:
        _enable_cors(app, config)

    @app.get("/")
    def index() -> flask.Response:
        if (STATIC_DIR / "index.html").is_file():
            return flask.send_from_directory(STATIC_DIR, "index.html")
        return flask.Response(PLACEHOLDER_PAGE, mimetype="text/html")

    @app.get("/api/health")
    def health() -> flask.Response:
        return json_response({"status": "ok", "version": __version__, "limits": config.limits()})

    @app.get("/api/example")
    def example() -> flask.Response:
        return json_response(example_files())

    @app.get("/api/openapi.json")
    def openapi() -> flask.Response:
        return json_response(openapi_document(config))

    @app.post("/api/generate")
    def generate() -> flask.Response:
        deadline = Deadline(config)
        inputs = read_inputs(flask.request, config)
        model = fitted_model(inputs, config, deadline, cache)
        result = generate_files(model, inputs, config, deadline)
        try:
            size = result.path.stat().st_size
            body = FileBody(result.path, lambda: remove_directory(result.directory))
        except BaseException:
            remove_directory(result.directory)
            raise
        response = flask.Response(body, mimetype=result.mimetype)
        response.content_length = size
        response.headers["Content-Disposition"] = f'attachment; filename="{result.download_name or "synthframe.json"}"'
        return response

    @app.post("/api/analyze")
    def analyze() -> flask.Response:
        deadline = Deadline(config)
        inputs = read_inputs(flask.request, config)
        model = fitted_model(inputs, config, deadline, cache)
        return json_response(analysis(model, inputs, config))

    @app.post("/api/preview")
    def preview_rows() -> flask.Response:
        deadline = Deadline(config)
        inputs = read_inputs(flask.request, config)
        model = fitted_model(inputs, config, deadline, cache)
        return flask.Response(preview(model, inputs, config, deadline), mimetype="application/json")

    @app.errorhandler(SynthframeError)
    def synthframe_error(exc: SynthframeError) -> flask.Response:
        return json_response(exc.to_dict(), status_of(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> flask.Response:
        response = exc.get_response()  # keeps headers such as Allow on a 405
        body: dict[str, Any] = {"error": _http_message(exc, config), "table": None, "column": None}
        if exc.code == 413:
            body["limit"] = "max_body_bytes"
        response.set_data(json.dumps(body, ensure_ascii=False))
        response.mimetype = "application/json"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> flask.Response:
        # Only the type: a message or traceback could quote the uploaded data.
        logger.error("unexpected %s in %s %s", type(exc).__name__, flask.request.method, flask.request.path)
        return json_response({"error": f"Internal error ({type(exc).__name__}); this is a bug in synthframe, "
                                       f"please report it with a request that reproduces it.",
                              "table": None, "column": None}, 500)

    @app.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if flask.request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _enable_cors(app: flask.Flask, config: ServerConfig) -> None:
    try:
        from flask_cors import CORS
    except ImportError:
        raise ServerConfigError('CORS origins are configured but flask-cors is not installed; install it with '
                                'pip install "synthframe[server]".') from None
    CORS(app, resources={r"/api/*": {"origins": list(config.cors_origins)}},
         expose_headers=["Content-Disposition"], max_age=600)


def _http_message(exc: HTTPException, config: ServerConfig) -> str:
    request = flask.request
    if exc.code == 404:
        return (f"There is no route {request.method} {request.path}; the API's routes are listed at "
                f"/api/openapi.json.")
    if exc.code == 405:
        allowed = sorted(m for m in (exc.valid_methods or []) if m not in ("HEAD", "OPTIONS"))  # type: ignore[attr-defined]
        return f"{request.path} does not take {request.method}; use {' or '.join(allowed) or 'another method'}."
    if exc.code == 413:
        size = config.max_body_bytes
        shown = f"{size / MIB:g} MiB" if size >= MIB else f"{size:,} bytes"
        return (f"The request body is larger than this server's limit of {shown} (max_body_bytes), or holds too "
                f"many parts. Send smaller samples, or have the server's operator raise the limit. "
                f"{how_to_set('max_body_bytes')}")
    return exc.description or exc.name


def json_response(data: Any, status: int = 200) -> flask.Response:
    """``data`` as a JSON response, keys in their order, non-finite numbers as null."""
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False)
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (say, in an error quoting the request): JSON's \\u escapes
        body = json.dumps(_finite(data), ensure_ascii=True, allow_nan=False).encode("ascii")
    return flask.Response(body, status=status, mimetype="application/json")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class FileBody:
    """A response body streamed from a file that ``cleanup`` removes.

    ``cleanup`` runs as soon as the file is open — on POSIX systems an open file stays readable
    after its name is gone, so nothing is left on disk even if the body is never closed — and
    again from ``close()``, which the WSGI server calls when the response ends, finished or not
    (where an open file cannot be removed, that second run is the one that removes it).
    """

    def __init__(self, path: Path, cleanup: Callable[[], None]):
        self._file = open(path, "rb")  # noqa: SIM115 - closed when exhausted or in close()
        self._cleanup = cleanup
        self._closed = False
        cleanup()

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._file.read(_CHUNK):
            yield chunk
        self._file.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._file.close()
        finally:
            self._cleanup()


def access_log_handler() -> type:
    """A werkzeug request handler that logs only method, path (no query) and status of each request."""
    from werkzeug.serving import WSGIRequestHandler

    access = logging.getLogger("synthframe.server.access")

    class AccessLogHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            access.info("%s %s %s", self.command, urlsplit(self.path).path, getattr(code, "value", code))

        def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            access.warning("malformed request or connection error (details not logged)")

    return AccessLogHandler


def example_files(name: str = "ecommerce") -> dict[str, Any]:
    """The bundled example as the page uploads it: ``{name, files: {file name: text}, recordCounts}``."""
    from ..examples import RECORD_COUNTS, example_samples_dir, example_schema_path

    files = {"schema.json": example_schema_path(name).read_text(encoding="utf-8")}
    for path in sorted(example_samples_dir(name).glob("*.csv")):
        files[path.name] = path.read_text(encoding="utf-8")
    return {"name": name, "files": files, "recordCounts": dict(RECORD_COUNTS[name])}
