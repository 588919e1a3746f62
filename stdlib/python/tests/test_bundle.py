from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from slm_train.bundle import sha256_file, verify_bundle, write_bundle, write_tar


def make(dest: Path) -> dict[str, object]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = dest.parent / "src.bin"
    src.write_bytes(b"\x00onnx-bytes")
    return write_bundle(
        dest,
        {"model.onnx": src, "tokenizer.json": b'{"t": 1}\n', "labels.json": b'["a", "b"]\n'},
        {"model_version": "v1", "precision": "fp32", "confidence_threshold": 0.5},
    )


def test_manifest_and_digests(tmp_path: Path) -> None:
    manifest = make(tmp_path / "bundle")
    on_disk = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert on_disk == manifest
    assert on_disk["format"] == "slm-model-bundle"
    assert on_disk["format_version"] == 1
    assert on_disk["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert on_disk["output"] == "logits"
    assert sorted(on_disk["files"]) == ["labels.json", "model.onnx", "tokenizer.json"]
    want = "sha256:" + hashlib.sha256(b"\x00onnx-bytes").hexdigest()
    assert on_disk["files"]["model.onnx"] == want
    assert sha256_file(tmp_path / "bundle" / "labels.json") == on_disk["files"]["labels.json"]
    text = (tmp_path / "bundle" / "manifest.json").read_text()
    assert text == json.dumps(on_disk, indent=2, sort_keys=True) + "\n"
    assert verify_bundle(tmp_path / "bundle") == manifest
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda b: (b / "labels.json").write_bytes(b'["b", "a"]\n'), "digest"),
        (lambda b: (b / "extra.txt").write_text("x"), "differ from the manifest"),
        (lambda b: (b / "tokenizer.json").unlink(), "differ from the manifest"),
    ],
)
def test_verify_detects_tampering(tmp_path: Path, tamper, message: str) -> None:  # type: ignore[no-untyped-def]
    make(tmp_path / "bundle")
    tamper(tmp_path / "bundle")
    with pytest.raises(ValueError, match=message):
        verify_bundle(tmp_path / "bundle")


def test_tar_is_deterministic(tmp_path: Path) -> None:
    make(tmp_path / "one" / "bundle")
    make(tmp_path / "two" / "bundle")
    (tmp_path / "two" / "bundle" / "model.onnx").touch()  # another mtime, same bytes
    write_tar(tmp_path / "one" / "bundle", tmp_path / "one.tar.gz")
    write_tar(tmp_path / "two" / "bundle", tmp_path / "two.tar.gz")
    a, b = (tmp_path / "one.tar.gz").read_bytes(), (tmp_path / "two.tar.gz").read_bytes()
    assert a == b
    assert a[4:8] == b"\x00\x00\x00\x00"  # gzip header mtime 0
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(a))) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        assert names == ["labels.json", "manifest.json", "model.onnx", "tokenizer.json"]
        for m in members:
            assert (m.mode, m.uid, m.gid, m.mtime, m.uname, m.gname) == (0o644, 0, 0, 0, "", "")
            f = tar.extractfile(m)
            assert f is not None
            assert f.read() == (tmp_path / "one" / "bundle" / m.name).read_bytes()
