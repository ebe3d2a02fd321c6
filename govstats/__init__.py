"""govstats: statistics tables of Chinese government information-disclosure annual reports as clean data.

Data flows one way: documents → tables → observations → checks → package.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"


def load(folder: str | Path = ".") -> dict[str, pd.DataFrame]:
    """A built package as ``{resource: DataFrame}`` with the dtypes declared in the codebook (Int64, Float64,
    categories, datetime64, str). ``folder`` holds ``data/`` (or is it). pandas is imported only when called."""
    from govstats.output.schemas import load_package

    return load_package(folder)
