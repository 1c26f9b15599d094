"""``python -m synthframe``: the ``synthframe`` command."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="synthframe")
