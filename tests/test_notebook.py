"""Execute notebooks/govstats_tour.ipynb headless and check what it shows."""

import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "govstats_tour.ipynb"
SEED_DOC = "001_e30e2049e38d0093"


def ensure_package_built() -> None:
    """Build the data package when its outputs are missing (never skip)."""
    if (ROOT / "data" / "observations.parquet").exists():
        return
    subprocess.run([sys.executable, "-m", "govstats", "build", "--quiet"], cwd=ROOT, check=True, timeout=600)
    assert (ROOT / "data" / "observations.parquet").exists(), "govstats build did not write data/observations.parquet"


def output_texts(nb: nbformat.NotebookNode) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            data = output.get("data", {})
            texts.extend(data.get(mime, "") for mime in ("text/plain", "text/html"))
    return texts


def _cjk_font_installed() -> bool:
    from matplotlib import font_manager

    return any("cjk" in Path(path).name.lower() for path in font_manager.findSystemFonts())


def execute() -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def _chart_line(nb: nbformat.NotebookNode) -> str:
    return next(line for text in output_texts(nb) for line in text.splitlines() if line.startswith("chart: "))


def test_the_chart_is_titled_with_agency_and_year_and_splits_counts_from_money():
    ensure_package_built()
    line = _chart_line(execute())
    assert "agency 微山县科技局, year 2016" in line
    assert "11 counts on the left axis, 1 money values on the right axis" in line  # 0.5 万元 not among the counts
    if _cjk_font_installed():
        assert line.startswith("chart: 微山县科技局 2016年度") and "labels in Chinese" in line
    else:
        assert "labels in English (no CJK font found)" in line


def test_without_a_cjk_font_the_chart_falls_back_to_english(monkeypatch):
    ensure_package_built()
    monkeypatch.setenv("GOVSTATS_ENGLISH_LABELS", "1")
    line = _chart_line(execute())
    assert line.startswith("chart: Reported values, 2016 report of 001_e30e2049e38d0093")
    assert "labels in English" in line


def test_tour_notebook_runs_and_shows_the_seed_table():
    ensure_package_built()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.execution_count is not None
        assert not [o for o in cell.outputs if o.output_type == "error"]

    texts = "\n".join(output_texts(nb))
    assert SEED_DOC in texts
    for status in ("reported", "blank", "not_assessable"):
        assert status in texts
    assert "Traceback" not in texts

    images = [o for cell in code_cells for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, "expected exactly one bar chart"
