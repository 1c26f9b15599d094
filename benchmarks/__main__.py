"""``python -m benchmarks``: see :mod:`benchmarks.suite`."""

from .suite import main

raise SystemExit(main())
