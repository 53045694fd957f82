"""dstack's Python API inside a running job.

``from dstack import artifacts`` gives the Artifacts API (``artifacts.upload``,
``artifacts.download``). It works inside a job started by ``dstack run`` or the
``dstack/run-python`` action, which put this package on ``PYTHONPATH`` and set
``DSTACK_ARTIFACTS_SOCKET``. ``from dstack import metrics`` gives ``metrics.log(step=...,
**values)``, which appends JSON lines to ``metrics/dstack.jsonl`` for charts and comparisons.
Standard library only; Python 3.8 or newer.
"""

from dstack.errors import ArtifactsDownloadError, ArtifactsUploadError, DstackError, MetricsError
from dstack import artifacts, metrics

__version__ = "0.1.0"

__all__ = [
    "ArtifactsDownloadError",
    "ArtifactsUploadError",
    "DstackError",
    "MetricsError",
    "artifacts",
    "metrics",
]
