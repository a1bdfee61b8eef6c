"""Tests for mixnet.recordio: round trips, dmlc framing, index files, pickling, headers, images,
and byte compatibility with files written by MXNet 1.9.1 (tests/fixtures/recordio/)."""

import importlib.util
import json
import os
import pickle
import struct

import numpy as np
import pytest

from mixnet import recordio
from mixnet.base import MXNetError

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "recordio")
MAGIC = struct.pack("<I", 0xCED7230A)
CODECS = [name for name, mod in (("cv2", "cv2"), ("pil", "PIL")) if importlib.util.find_spec(mod)]
needs_codec = pytest.mark.skipif(not CODECS, reason="neither OpenCV nor Pillow is installed")


@pytest.fixture
def paths(tmp_path):
    return str(tmp_path / "t.idx"), str(tmp_path / "t.rec")


def write_all(path, bufs):
    writer = recordio.MXRecordIO(path, "w")
    for buf in bufs:
        writer.write(buf)
    writer.close()


def read_all(path):
    reader = recordio.MXRecordIO(path, "r")
    out = list(iter(reader.read, None))
    reader.close()
    return out


# --- sequential files and dmlc framing ---------------------------------------------------------


def test_round_trip_and_reset(paths):
    bufs = [bytes([i]) * i for i in range(40)]
    write_all(paths[1], bufs)
    reader = recordio.MXRecordIO(paths[1], "r")
    assert [reader.read() for _ in bufs] == bufs
    assert reader.read() is None and reader.read() is None
    reader.reset()
    assert reader.read() == bufs[0]
    reader.close()
    assert not reader.is_open


def test_framing_and_padding(paths):
    write_all(paths[1], [b"abcde"])
    with open(paths[1], "rb") as f:
        assert f.read() == MAGIC + struct.pack("<I", 5) + b"abcde\0\0\0"


@pytest.mark.parametrize(
    "payload",
    [
        MAGIC,
        MAGIC + MAGIC,
        b"ab" + MAGIC + b"cd",
        b"abcd" + MAGIC + b"xy" + MAGIC,
        b"x" * 8 + MAGIC,
        MAGIC + b"123",
        b"1234" + MAGIC * 3 + b"5",
    ],
)
def test_records_containing_magic_round_trip(paths, payload):
    write_all(paths[1], [payload, b"next"])
    assert read_all(paths[1]) == [payload, b"next"]


def test_aligned_magic_is_split_like_dmlc(paths):
    # Hex taken from MXNet 1.9.1 writing b'abcd' + MAGIC + b'xy' + MAGIC: split at offset 4 only
    # (cflag 1 then 3); the unaligned magic at offset 10 stays in the payload.
    write_all(paths[1], [b"abcd" + MAGIC + b"xy" + MAGIC])
    with open(paths[1], "rb") as f:
        assert f.read().hex() == ("0a23d7ce04000020616263640a23d7ce0600006078790a23d7ce0000")


def test_tell_reports_record_offsets(paths):
    writer = recordio.MXRecordIO(paths[1], "w")
    offsets = []
    for i in range(3):
        offsets.append(writer.tell())
        writer.write(b"record_%d" % i)
    writer.close()
    assert offsets == [0, 16, 32]  # 8-byte header + 8-byte payload each


# --- indexed files -----------------------------------------------------------------------------


def test_indexed_round_trip(paths):
    writer = recordio.MXIndexedRecordIO(*paths, "w")
    for i in range(255):
        writer.write_idx(i, str(chr(i)).encode("utf-8"))
    writer.close()
    reader = recordio.MXIndexedRecordIO(*paths, "r")
    keys = list(reader.keys)
    assert keys == list(range(255))
    for i in reversed(keys):
        assert reader.read_idx(i) == str(chr(i)).encode("utf-8")
    assert reader.idx[1] == 12 and reader.fidx is not None


def test_index_file_format_and_str_keys(paths):
    writer = recordio.MXIndexedRecordIO(*paths, "w", key_type=str)
    writer.write_idx("b", b"1")
    writer.write_idx("a", b"22")
    writer.close()
    with open(paths[0]) as f:
        assert f.read() == "b\t0\na\t12\n"
    reader = recordio.MXIndexedRecordIO(*paths, "r", key_type=str)
    assert reader.keys == ["b", "a"] and reader.read_idx("a") == b"22"


def test_seek_after_end_of_file(paths):
    writer = recordio.MXIndexedRecordIO(*paths, "w")
    writer.write_idx(0, b"zero")
    writer.close()
    reader = recordio.MXIndexedRecordIO(*paths, "r")
    assert reader.read() == b"zero" and reader.read() is None
    assert reader.read_idx(0) == b"zero"


# --- pickling and processes --------------------------------------------------------------------


def test_pickle_reopens(paths):
    writer = recordio.MXIndexedRecordIO(*paths, "w")
    for i in range(3):
        writer.write_idx(i, b"r%d" % i)
    writer.close()
    reader = recordio.MXIndexedRecordIO(*paths, "r")
    clone = pickle.loads(pickle.dumps(reader))
    assert clone.is_open and clone.keys == [0, 1, 2] and clone.read_idx(2) == b"r2"
    assert reader.read_idx(1) == b"r1"  # the original stays usable
    reader.close()
    assert not pickle.loads(pickle.dumps(reader)).is_open


def test_other_process_read_refused_but_seek_reopens(paths):
    writer = recordio.MXIndexedRecordIO(*paths, "w")
    writer.write_idx(0, b"a")
    writer.write_idx(1, b"b")
    writer.close()
    reader = recordio.MXIndexedRecordIO(*paths, "r")
    reader.pid = -1  # as seen from a forked child
    with pytest.raises(RuntimeError, match="multiple processes"):
        reader.read()
    assert reader.read_idx(1) == b"b"  # seek reopens the file in the new process
    assert reader.read() is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_read_idx_after_fork(paths):
    import multiprocessing

    writer = recordio.MXIndexedRecordIO(*paths, "w")
    for i in range(4):
        writer.write_idx(i, b"rec%d" % i)
    writer.close()
    reader = recordio.MXIndexedRecordIO(*paths, "r")
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(reader.read_idx, [3, 1]) == [b"rec3", b"rec1"]
    assert reader.read_idx(0) == b"rec0"


# --- errors ------------------------------------------------------------------------------------


def test_errors(paths, tmp_path):
    with pytest.raises(ValueError, match="Invalid flag 'x'"):
        recordio.MXRecordIO(paths[1], "x")
    with pytest.raises(MXNetError, match="Cannot open"):
        recordio.MXRecordIO(str(tmp_path / "missing.rec"), "r")
    writer = recordio.MXRecordIO(paths[1], "w")
    with pytest.raises(ValueError, match="needs flag 'r'"):
        writer.read()
    with pytest.raises(TypeError, match="expects bytes"):
        writer.write("text")
    writer.close()
    with pytest.raises(MXNetError, match="closed"):
        writer.write(b"x")
    reader = recordio.MXRecordIO(paths[1], "r")
    with pytest.raises(ValueError, match="needs flag 'w'"):
        reader.write(b"x")


@pytest.mark.parametrize(
    "data, match",
    [
        (b"123456789abc", "bad magic"),
        (MAGIC + b"\x01", "truncated record header"),
        (MAGIC + struct.pack("<I", 8) + b"1234", "truncated record body"),
    ],
)
def test_corrupt_file(tmp_path, data, match):
    path = tmp_path / "bad.rec"
    path.write_bytes(data)
    with pytest.raises(MXNetError, match=match):
        read_all(str(path))


# --- IRHeader pack / unpack --------------------------------------------------------------------


def test_pack_scalar_label_sets_flag_zero():
    s = recordio.pack(recordio.IRHeader(5, 3.5, 7, 1), b"x")
    assert s == struct.pack("<IfQQ", 0, 3.5, 7, 1) + b"x"
    header, payload = recordio.unpack(s)
    assert header == recordio.IRHeader(0, 3.5, 7, 1) and payload == b"x"
    assert recordio.unpack(recordio.pack((0, np.float32(2), 0, 0), b""))[0].label == 2.0


@pytest.mark.parametrize("size", [1, 2, 7, 100])
def test_pack_array_label(size):
    rng = np.random.default_rng(size)
    label = rng.uniform(size=size).astype(np.float32)
    content = bytes(rng.integers(0, 256, size=size * 3, dtype=np.uint8))
    header, payload = recordio.unpack(recordio.pack((0, label, 3, 4), content))
    assert header.flag == size and (header.id, header.id2) == (3, 4)
    assert header.label.dtype == np.float32 and np.array_equal(header.label, label)
    assert payload == content


def test_unpack_short_buffer():
    with pytest.raises(ValueError, match="at least 24"):
        recordio.unpack(b"abc")


# --- images ------------------------------------------------------------------------------------


@pytest.fixture(params=CODECS or ["none"])
def codec(request, monkeypatch):
    """Runs image tests once per installed backend by pinning recordio's codec choice."""
    if request.param == "pil":
        from PIL import Image

        monkeypatch.setattr(recordio, "_codec", lambda: ("pil", Image))
    elif request.param == "cv2":
        import cv2

        monkeypatch.setattr(recordio, "_codec", lambda: ("cv2", cv2))
    return request.param


def image():
    return np.load(os.path.join(FIXTURES, "image.npy"))


@needs_codec
def test_png_round_trip_is_exact(codec):
    img = image()
    s = recordio.pack_img(recordio.IRHeader(0, [1, 2], 9, 0), img, quality=3, img_fmt=".png")
    header, out = recordio.unpack_img(s)
    assert header.id == 9 and list(header.label) == [1, 2]
    assert out.dtype == np.uint8 and np.array_equal(out, img)
    gray = recordio.pack_img((0, 0.0, 0, 0), img[:, :, 0], quality=9, img_fmt=".png")
    assert np.array_equal(recordio.unpack_img(gray)[1], img[:, :, 0])


@needs_codec
def test_jpg_round_trip_and_iscolor(codec):
    img = image()
    s = recordio.pack_img((0, 1.0, 0, 0), img, quality=95)
    assert recordio.unpack(s)[1][:2] == b"\xff\xd8"
    _, out = recordio.unpack_img(s)
    # Lossy: chroma subsampling blurs the fixture's sharp colour ramps, so bound the mean error.
    assert out.shape == img.shape and np.abs(out.astype(int) - img).mean() < 4
    assert recordio.unpack_img(s, iscolor=0)[1].shape == img.shape[:2]
    assert recordio.unpack_img(s, iscolor=1)[1].shape == img.shape


@needs_codec
def test_undecodable_image_is_none(codec):
    assert recordio.unpack_img(recordio.pack((0, 0.0, 0, 0), b"not an image"))[1] is None


# --- compatibility with files MXNet 1.9.1 wrote -----------------------------------------------


def manifest():
    with open(os.path.join(FIXTURES, "manifest.json")) as f:
        return json.load(f)["records"]


def fixture_reader():
    return recordio.MXIndexedRecordIO(
        os.path.join(FIXTURES, "records.idx"), os.path.join(FIXTURES, "records.rec"), "r"
    )


def expected_record(entry, mxnet_record):
    """The bytes mixnet should produce for a manifest entry.

    Encoded images come from MXNet's own record: JPEG/PNG encoder output depends on the codec
    library version, so only the header packing and framing are compared byte for byte.
    """
    if entry["kind"] == "raw":
        return bytes.fromhex(entry["payload"])
    if entry["kind"] == "pack":
        return recordio.pack(recordio.IRHeader(*entry["header"]), bytes.fromhex(entry["payload"]))
    return recordio.pack(recordio.IRHeader(*entry["header"]), recordio.unpack(mxnet_record)[1])


def test_reads_mxnet_files():
    reader = fixture_reader()
    entries = manifest()
    assert reader.keys == [e["key"] for e in entries]
    for entry in entries:
        record = reader.read_idx(entry["key"])
        assert record == expected_record(entry, record)
    header, _ = recordio.unpack(reader.read_idx(9))
    assert header.flag == 3 and list(header.label) == [1.5, 2.5, -3.0] and header.id2 == 7
    assert recordio.unpack(reader.read_idx(11))[0] == recordio.IRHeader(0, 3.0, 5, 0)
    reader.reset()
    assert len(list(iter(reader.read, None))) == len(entries)


@needs_codec
def test_decodes_mxnet_images(codec):
    reader = fixture_reader()
    header, png = recordio.unpack_img(reader.read_idx(8))
    assert list(header.label) == [4.0, 5.0] and np.array_equal(png, image())
    _, jpg = recordio.unpack_img(reader.read_idx(2))
    expected = np.load(os.path.join(FIXTURES, "image_jpg_decoded.npy"))
    # Different JPEG decoders (libjpeg-turbo builds, Pillow) may differ by a few levels.
    assert jpg.shape == expected.shape and np.abs(jpg.astype(int) - expected).max() <= 3


def test_writes_files_identical_to_mxnet(paths):
    reader = fixture_reader()
    writer = recordio.MXIndexedRecordIO(*paths, "w")
    for entry in manifest():
        writer.write_idx(entry["key"], expected_record(entry, reader.read_idx(entry["key"])))
    writer.close()
    for ours, name in zip(paths, ["records.idx", "records.rec"]):
        with open(ours, "rb") as a, open(os.path.join(FIXTURES, name), "rb") as b:
            assert a.read() == b.read(), name
