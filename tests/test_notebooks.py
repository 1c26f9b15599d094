"""Every notebook in notebooks/ runs top to bottom without an error, and is committed with outputs cleared.

The notebooks are executed with nbclient in a kernel of the interpreter running the tests (a kernel
spec written to a temporary folder, so neither a user-wide ``python3`` kernel pointing at another
Python nor a missing one can change what runs), with a temporary working directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 300
"""Seconds one cell may run before the test fails."""


def test_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS if p.name == "quickstart.ipynb"] == ["quickstart.ipynb"]


def _kernel_manager(tmp_path: Path) -> KernelManager:
    """A kernel manager starting ``python -m ipykernel_launcher`` with this very interpreter."""
    kernels = tmp_path / "kernels"
    kernelspec.write_kernel_spec(kernels / "python3")  # argv: [sys.executable, "-m", "ipykernel_launcher", ...]
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    client = nbclient.NotebookClient(nb, km=_kernel_manager(tmp_path), timeout=CELL_TIMEOUT,
                                     allow_errors=False, resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count is not None for cell in code)
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    assert list(workdir.iterdir()) == [], "the notebook left files in its working directory"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has outputs"
