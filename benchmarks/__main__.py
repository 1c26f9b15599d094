"""``python -m benchmarks``: speed, see :mod:`benchmarks.suite`.

``python -m benchmarks fidelity``: fidelity against held-out real data, see :mod:`benchmarks.fidelity`.

``python -m benchmarks joint``: what each part of the joint model adds, see :mod:`benchmarks.joint_variants`.

``python -m benchmarks scale``: synthframe at scale against tpchgen-cli, DuckDB and the per-row loop, see
:mod:`benchmarks.scale`.

``python -m benchmarks text``: a text-heavy table (names, email, phone, address, company, job, …): speed against
the per-row Faker loop, and what a reader checks in its rows, see :mod:`benchmarks.text_heavy`.
"""

import sys

if sys.argv[1:2] == ["fidelity"]:
    from .fidelity import main

    raise SystemExit(main(sys.argv[2:]))

if sys.argv[1:2] == ["joint"]:
    from .joint_variants import main

    raise SystemExit(main(sys.argv[2:]))

if sys.argv[1:2] == ["scale"]:
    from .scale import main

    raise SystemExit(main(sys.argv[2:]))

if sys.argv[1:2] == ["text"]:
    from .text_heavy import main

    raise SystemExit(main(sys.argv[2:]))

from .suite import main

raise SystemExit(main())
