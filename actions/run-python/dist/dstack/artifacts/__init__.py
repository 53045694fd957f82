"""The dstack Artifacts API: upload and download artifact files from within a running job.

Example::

    from dstack import artifacts

    artifacts.upload(local_path="datasets/dataset1")
    artifacts.download(tag="my_tag", artifact_path="output/my_model", local_path="./my_model")
"""

from dstack.artifacts._artifacts import download, upload
from dstack.errors import ArtifactsDownloadError, ArtifactsUploadError, DstackError

__all__ = ["ArtifactsDownloadError", "ArtifactsUploadError", "DstackError", "download", "upload"]
