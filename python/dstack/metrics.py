"""Metrics of a running job: ``metrics.log(step=..., **values)``.

Each call appends one line of JSON, ``{"step": 10, "loss": 0.31, "accuracy": 0.9}``, to
``metrics/dstack.jsonl`` under the current folder (the job's working directory), or to the
file named by ``DSTACK_METRICS_FILE``. List ``metrics`` in the workflow's ``artifacts`` and
the curves show in the job summary, in the pull request's dstack comment and in
``dstack metrics RUN``. Works anywhere, inside dstack or not: it only writes a file.

Example::

    from dstack import metrics

    for epoch in range(epochs):
        ...
        metrics.log(step=epoch, loss=loss.item(), accuracy=correct / total)
"""

import json
import math
import os
from typing import Any, Dict

from dstack.errors import MetricsError

FILE_ENV = "DSTACK_METRICS_FILE"
"""The environment variable that names another file to append to."""

DEFAULT_FILE = os.path.join("metrics", "dstack.jsonl")
"""Where ``log`` appends, relative to the current folder, unless ``DSTACK_METRICS_FILE`` is set."""

_NAME_MAX = 200


def _number(name: str, value: Any) -> Any:
    """``value`` as a finite int or float, or raises ``MetricsError`` naming ``name``."""
    # NumPy scalars and one-element tensors (``loss``, ``np.float32(0.5)``) give a Python number.
    if not isinstance(value, (bool, int, float)) and callable(getattr(value, "item", None)):
        try:
            value = value.item()
        except (TypeError, ValueError, RuntimeError) as e:
            raise MetricsError(
                "{}: {} has no single value ({}); log a number".format(name, type(value).__name__, e)
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MetricsError(
            "{}: {!r} is a {}, not a number; log ints and floats".format(
                name, value, type(value).__name__
            )
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise MetricsError("{}: {} is not a finite number; log finite values only".format(name, value))
    return value


def metrics_file() -> str:
    """The file ``log`` appends to: ``DSTACK_METRICS_FILE``, else ``metrics/dstack.jsonl``."""
    return os.environ.get(FILE_ENV) or DEFAULT_FILE


def log(step: int, **values: Any) -> None:
    """Appends the values of metrics at ``step`` as one JSON line.

    Args:
        step: the training step (or epoch) the values belong to: a finite number that does not
            go back from one call to the next.
        **values: metric names and finite numbers (ints, floats, NumPy scalars or one-element
            tensors). Names with ``loss``, ``error``, ``perplexity``, ``mae``, ``mse`` or ``rmse``
            are lower-is-better, others higher-is-better.

    Raises:
        MetricsError: no values, a value that is not a finite number, a bad name, or the file
            cannot be written. Nothing is written then.

    The line is written with one ``write`` on a file opened for appending, so lines of several
    processes logging to the same file never interleave.
    """
    record = {"step": _number("step", step)}  # type: Dict[str, Any]
    if not values:
        raise MetricsError("log(step={}) has no values; pass e.g. loss=0.31".format(step))
    for name, value in values.items():
        if name == "" or len(name) > _NAME_MAX or "\n" in name or "\r" in name:
            raise MetricsError(
                "{!r}: a metric name is 1 to {} characters on one line".format(name[:60], _NAME_MAX)
            )
        record[name] = _number(name, value)
    data = (json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n").encode("utf-8")
    path = metrics_file()
    try:
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            written = os.write(fd, data)
            while written < len(data):
                written += os.write(fd, data[written:])
        finally:
            os.close(fd)
    except OSError as e:
        raise MetricsError("cannot append to {}: {}".format(path, e)) from None


__all__ = ["DEFAULT_FILE", "FILE_ENV", "MetricsError", "log", "metrics_file"]
