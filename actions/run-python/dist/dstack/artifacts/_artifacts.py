"""The Artifacts API's functions and their client for the dstack process running the job.

The job's process (``dstack run`` or the ``dstack/run-python`` action) listens on a Unix
domain socket named by ``DSTACK_ARTIFACTS_SOCKET``. Each call opens a connection, sends one
line of JSON, ``{"op": "upload" | "download", ...arguments, "cwd": os.getcwd()}``, and reads
one line back: ``{"ok": true, ...}`` or ``{"ok": false, "error": "message"}``.
"""

import json
import os
import socket
from typing import Any, Dict, Optional, Type

from dstack.errors import ArtifactsDownloadError, ArtifactsUploadError, DstackError

SOCKET_ENV = "DSTACK_ARTIFACTS_SOCKET"

_NO_SOCKET = (
    "the dstack Artifacts API works inside a job started by dstack run or dstack/run-python "
    "(DSTACK_ARTIFACTS_SOCKET is not set)"
)


def _call(op: str, arguments: Dict[str, Any], error: Type[DstackError]) -> Dict[str, Any]:
    """Sends one request to the job's dstack process; returns its answer or raises ``error``."""
    address = os.environ.get(SOCKET_ENV)
    if not address:
        raise DstackError(_NO_SOCKET)
    if not hasattr(socket, "AF_UNIX"):
        raise DstackError("the dstack Artifacts API needs Unix domain sockets, missing here")
    try:
        cwd = os.getcwd()
    except OSError as e:
        raise error("cannot read the current folder: {}".format(e)) from None
    request = dict(arguments)
    request["op"] = op
    request["cwd"] = cwd
    data = (json.dumps(request) + "\n").encode("utf-8")
    chunks = []
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(address)
            sock.sendall(data)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if chunk.endswith(b"\n"):
                    break
    except OSError as e:
        raise error(
            "cannot reach the dstack process running this job at {} ({}); "
            "is the job still running under dstack?".format(address, e)
        ) from None
    text = b"".join(chunks).decode("utf-8", errors="replace").strip()
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise error("the dstack process sent an unreadable answer: {!r}".format(text[:200]))
    if answer.get("ok") is True:
        return answer
    raise error(str(answer.get("error") or "the dstack process reported an unknown error"))


def _check_str(name: str, value: Any, error: Type[DstackError]) -> None:
    if value is not None and not isinstance(value, str):
        raise error("{} must be a string, not {}".format(name, type(value).__name__))


def upload(local_path: str, artifact_path: Optional[str] = None, tag: Optional[str] = None):
    """Uploads files located at `local_path` as the artifacts of the current run.

    If `tag` is specified, uploads the files as the artifacts of the tag instead.
    By default, artifact files saved under the same path as `local_path`.
    The `artifact_path` parameter can be used to specify a different artifact path.

    Examples:
    ```python
    # Uploads local_path as an artifact of the current run
    artifacts.upload(local_path="datasets/dataset1")

    # Uploads local_path as an artifact of a new run tagged as my_tag and saves it as artifact_path
    artifacts.upload(local_path="datasets/dataset1", artifact_path="data", tag="my_tag")
    ```

    :param local_path: The local path to upload the files from
    :param artifact_path: The path under which the files will be stored
    :param tag: The tag to assign the artifacts, defaults to None
    :raises ArtifactsUploadError: Raises if cannot upload the artifacts
    :raises DstackError: The base exception for all dstack errors
    """
    if not isinstance(local_path, str) or local_path == "":
        raise ArtifactsUploadError("local_path must be a path (a non-empty string)")
    _check_str("artifact_path", artifact_path, ArtifactsUploadError)
    _check_str("tag", tag, ArtifactsUploadError)
    _call(
        "upload",
        {"local_path": local_path, "artifact_path": artifact_path, "tag": tag},
        ArtifactsUploadError,
    )


def download(
    run: Optional[str] = None,
    tag: Optional[str] = None,
    artifact_path: Optional[str] = None,
    local_path: Optional[str] = None,
):
    """Downloads artifact files of a run or a tag.

    The files are downloaded from `artifact_path` to `local_path`.
    By default, downloads all the files and saves them to the current directory.

    Examples:
    ```python
    # Downloads all artifact files of a run
    artifacts.download(run="sharp-shrimp-1")

    # Downloads artifact files from artifact_path and saves them to local_path
    artifacts.download(tag="my_tag", artifact_path="output/my_model", local_path="./my_model")
    ```

    :param run: The run to download the artifacts from
    :param tag: The tag to download the artifacts from
    :param artifact_path: The path to artifact files to download, defaults to ""
    :param local_path: The local path to save the files to, defaults to "."
    :raises ArtifactsDownloadError: Raises if cannot download the artifacts
    :raises DstackError: The base exception for all dstack errors
    """
    _check_str("run", run, ArtifactsDownloadError)
    _check_str("tag", tag, ArtifactsDownloadError)
    _check_str("artifact_path", artifact_path, ArtifactsDownloadError)
    _check_str("local_path", local_path, ArtifactsDownloadError)
    if run is None and tag is None:
        raise ArtifactsDownloadError("give run= or tag= to say whose artifacts to download")
    if run is not None and tag is not None:
        raise ArtifactsDownloadError("give run= or tag=, not both")
    _call(
        "download",
        {
            "run": run,
            "tag": tag,
            "artifact_path": "" if artifact_path is None else artifact_path,
            "local_path": "." if local_path is None else local_path,
        },
        ArtifactsDownloadError,
    )
