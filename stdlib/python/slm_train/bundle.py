"""Writing the model bundle (SPEC.md section 3) and its deterministic archive."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = "slm-model-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
OUTPUT = "logits"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def json_bytes(obj: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide outputs from other users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bundle(
    dest: Path,
    files: Mapping[str, Path | bytes],
    manifest_fields: Mapping[str, Any],
) -> dict[str, Any]:
    """Writes dest/ with `files` (name -> source path or bytes) and manifest.json.

    The bundle is assembled in a sibling temporary directory and renamed into
    place, so a reader never sees half a bundle. Returns the manifest.
    """
    if MANIFEST in files:
        raise ValueError("manifest.json is written by write_bundle, not passed in")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name, src in files.items():
            if "/" in name or name.startswith("."):
                raise ValueError(f"bundle file name {name!r}: want a plain file name")
            if isinstance(src, bytes):
                (tmp / name).write_bytes(src)
            else:
                shutil.copyfile(src, tmp / name)
            (tmp / name).chmod(0o644)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "inputs": INPUTS,
            "output": OUTPUT,
            **manifest_fields,
            "files": {name: sha256_file(tmp / name) for name in sorted(files)},
        }
        (tmp / MANIFEST).write_bytes(json_bytes(manifest))
        (tmp / MANIFEST).chmod(0o644)
        tmp.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def verify_bundle(bundle: Path) -> dict[str, Any]:
    """Checks a bundle the way the edge runtime does; returns its manifest."""
    manifest_path = bundle / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{manifest_path}: cannot read manifest ({e})") from e
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{manifest_path}: not a {FORMAT} v{FORMAT_VERSION} manifest")
    listed = manifest.get("files", {})
    present = {p.name for p in bundle.iterdir() if p.name != MANIFEST}
    if present != set(listed):
        raise ValueError(
            f"{bundle}: files {sorted(present)} differ from the manifest's {sorted(listed)}"
        )
    for name, digest in listed.items():
        got = sha256_file(bundle / name)
        if got != digest:
            raise ValueError(f"{bundle / name}: digest {got} differs from the manifest's {digest}")
    return manifest


def write_tar(bundle: Path, archive: Path) -> None:
    """bundle.tar.gz: root files sorted, mode 0644, uid/gid 0, mtime 0, no gzip name/time."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(p for p in bundle.iterdir() if p.is_file()):
            info = tarfile.TarInfo(path.name)
            info.size = path.stat().st_size
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            with path.open("rb") as fh:
                tar.addfile(info, fh)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue())
    write_atomic(archive, out.getvalue())
