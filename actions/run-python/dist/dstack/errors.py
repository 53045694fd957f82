"""The exceptions of the dstack Python API."""


class DstackError(Exception):
    """The base exception for all dstack errors."""


class ArtifactsUploadError(DstackError):
    """Raised by ``artifacts.upload`` when the artifacts cannot be uploaded."""


class ArtifactsDownloadError(DstackError):
    """Raised by ``artifacts.download`` when the artifacts cannot be downloaded."""


class MetricsError(DstackError):
    """Raised by ``metrics.log`` for a value that is not a finite number or a file it cannot write."""


__all__ = ["ArtifactsDownloadError", "ArtifactsUploadError", "DstackError", "MetricsError"]
