"""aibubble: what happens to the valuations of the closed AI labs if
open-weight models keep getting almost as good for a fraction of the price?

>>> import aibubble
>>> s = aibubble.Scenario.preset("baseline")
>>> r = aibubble.simulate(s, paths=2_000, seed=7)
>>> r.summary().loc["openai", "fair_value_p50"] > 0
True
"""

from __future__ import annotations

from typing import List

from . import _core, plot
from ._analysis import sobol, sobol_indices, sweep, tornado
from ._calibrate import calibrate, calibration_curves
from ._backtest import backtest
from ._implied import implied
from ._outputs import outputs
from ._compare import channels, compare
from ._result import LAB_METRICS, MAX_LOAD_BYTES, QUANTILES, SERIES, Result, load, merge, net, simulate
from ._scenario import Scenario
from .explore import explore
from .report import report
from .errors import (
    AibubbleError,
    ArgumentError,
    CancelledError,
    CorrelatedInputsWarning,
    FileError,
    InternalError,
    NumericalError,
    ResourceLimitError,
    ResultsFileError,
    ScenarioError,
    SchemaVersionError,
)

__version__: str = _core.__version__

__all__ = [
    "Scenario",
    "Result",
    "simulate",
    "net",
    "sweep",
    "tornado",
    "backtest",
    "sobol",
    "sobol_indices",
    "implied",
    "compare",
    "channels",
    "calibrate",
    "calibration_curves",
    "outputs",
    "explore",
    "report",
    "merge",
    "load",
    "presets",
    "plot",
    "LAB_METRICS",
    "QUANTILES",
    "SERIES",
    "MAX_LOAD_BYTES",
    "AibubbleError",
    "ScenarioError",
    "ArgumentError",
    "ResourceLimitError",
    "NumericalError",
    "ResultsFileError",
    "SchemaVersionError",
    "FileError",
    "CancelledError",
    "InternalError",
    "CorrelatedInputsWarning",
]


def presets() -> List[str]:
    """Names of the built-in scenarios."""
    return list(_core.presets())
