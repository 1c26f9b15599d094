"""Ctrl-C while the ``synthframe`` command is still importing: one line and exit code 130, not a traceback.

Importing synthframe (pandas, scipy, Faker) takes a second or more, before the command's own handler of Ctrl-C
runs. When the program is the ``synthframe`` command (the console script, or ``python -m synthframe``), the
package installs :func:`_on_interrupt` for SIGINT first thing; the command puts Python's default handler back
when it starts (:func:`restore_interrupts`), so an interrupted write is still undone. Imported as a library,
nothing changes.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

INTERRUPTED = "error: interrupted (Ctrl-C)."
"""The one line the command prints when interrupted."""
TERMINATED = "error: terminated (SIGTERM)."
"""The one line the command prints when asked to stop by SIGTERM."""


def is_command() -> bool:
    """True when this process is the ``synthframe`` command rather than a program importing the library."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.splitext(name)[0] in ("synthframe", "synthframe-script"):
        return True
    orig = list(getattr(sys, "orig_argv", []))
    return any(a == "-m" and b == "synthframe" for a, b in zip(orig, orig[1:]))


def _on_interrupt(signum: int, frame: Any) -> None:
    try:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
    finally:
        os._exit(130)


def quiet_interrupts_while_importing() -> None:
    """In the ``synthframe`` command, make Ctrl-C print one line and exit 130 until the command starts."""
    if not is_command() or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_interrupt)


def restore_interrupts() -> None:
    """Put Python's default Ctrl-C handler back (a KeyboardInterrupt the command handles itself)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is _on_interrupt:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _on_terminate(signum: int, frame: Any) -> None:
    raise SystemExit(143)


def exit_on_terminate() -> Callable[[], None]:
    """Make SIGTERM a ``SystemExit(143)`` in the main thread, so a write in progress removes its temporary
    files on the way out (Python's default is to die on the spot); return a function that undoes it."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
            signal.SIG_DFL, None):
        return lambda: None
    signal.signal(signal.SIGTERM, _on_terminate)
    return lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL)
