"""The exceptions of the dstack Python API."""


class DstackError(Exception):
    """The base exception for all dstack errors."""


class ArtifactsUploadError(DstackError):
    """Raised by ``artifacts.upload`` when the artifacts cannot be uploaded."""


class ArtifactsDownloadError(DstackError):
    """Raised by ``artifacts.download`` when the artifacts cannot be downloaded."""


__all__ = ["ArtifactsDownloadError", "ArtifactsUploadError", "DstackError"]
