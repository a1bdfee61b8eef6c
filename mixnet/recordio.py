"""RecordIO (``.rec``/``.idx``) reading and writing, byte-compatible with MXNet 1.9.1 (dmlc-core).

Layer 1: imports only the stdlib, numpy and ``mixnet.base``. Image codecs (OpenCV, else Pillow)
are optional and imported on first use.
"""

import functools
import io
import numbers
import os
import struct
from collections import namedtuple

import numpy as np

from .base import MXNetError, MXNetTypeError, MXNetValueError

__all__ = [
    "IRHeader",
    "MXIndexedRecordIO",
    "MXRecordIO",
    "pack",
    "pack_img",
    "unpack",
    "unpack_img",
]

# dmlc::RecordIOWriter::kMagic, stored little-endian in front of every record part.
_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_PART_HEADER = struct.Struct("<II")  # magic, lrecord = cflag << 29 | length
_LENGTH_MASK = (1 << 29) - 1
# cflag of a record part: a whole record, or the first / a middle / the last part of a split one.
_WHOLE, _FIRST, _MIDDLE, _LAST = 0, 1, 2, 3


def _pad4(n):
    return (n + 3) & ~3


def _encode_record(buf):
    """Frames one record exactly as dmlc::RecordIOWriter::WriteRecord does.

    NOTE: the writer splits the payload at every 4-byte-aligned occurrence of the magic number
    and drops those 4 bytes (the reader puts them back), so a reader that resyncs on the magic
    never mistakes payload for a record boundary. Unaligned occurrences are left alone.
    """
    if len(buf) >= 1 << 29:
        raise MXNetValueError(f"RecordIO only accepts records under 2**29 bytes, got {len(buf)}")
    out = []
    start = 0  # where the current part begins
    hit = buf.find(_MAGIC_BYTES)
    while hit != -1:
        if hit % 4 == 0:
            cflag = _FIRST if start == 0 else _MIDDLE
            out += [_PART_HEADER.pack(_MAGIC, cflag << 29 | (hit - start)), buf[start:hit]]
            start = hit + 4
            hit = buf.find(_MAGIC_BYTES, start)
        else:
            hit = buf.find(_MAGIC_BYTES, hit + 1)
    tail = buf[start:]
    cflag = _LAST if start != 0 else _WHOLE
    out += [_PART_HEADER.pack(_MAGIC, cflag << 29 | len(tail)), tail]
    out.append(b"\0" * (_pad4(len(tail)) - len(tail)))
    return b"".join(out)


def _as_bytes(buf, what):
    if isinstance(buf, (bytes, bytearray, memoryview)):
        return bytes(buf)
    raise MXNetTypeError(f"{what} expects bytes, got {type(buf).__name__}; encode text first")


class MXRecordIO:
    """Reads/writes the `RecordIO` data format sequentially.

    Parameters
    ----------
    uri : str
        Path to the record file.
    flag : str
        'w' for write (truncates the file) or 'r' for read.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'tmp.rec')
    >>> record = MXRecordIO(path, 'w')
    >>> for i in range(3):
    ...     record.write(b'record_%d' % i)
    >>> record.close()
    >>> record = MXRecordIO(path, 'r')
    >>> record.read(), record.read(), record.read(), record.read()
    (b'record_0', b'record_1', b'record_2', None)
    """

    def __init__(self, uri, flag):
        self.uri = uri
        self.flag = flag
        self.pid = None
        self.is_open = False
        self._file = None
        self.open()

    def open(self):
        """Opens the record file (MXNet reopens it the same way after ``close``)."""
        if self.flag not in ("r", "w"):
            raise MXNetValueError(f"Invalid flag {self.flag!r} for {self.uri!r}: use 'r' or 'w'")
        self.writable = self.flag == "w"
        try:
            self._file = open(self.uri, "wb" if self.writable else "rb")  # noqa: SIM115
        except OSError as err:
            raise MXNetError(f"Cannot open RecordIO file {self.uri!r}: {err}") from err
        self._eof = False
        self.pid = os.getpid()
        self.is_open = True

    def close(self):
        """Closes the record file; calling it again does nothing."""
        if not self.is_open:
            return
        self._file.close()
        self._file = None
        self.is_open = False
        self.pid = None

    def __del__(self):
        # NOTE: __init__ may have failed before is_open was set, hence getattr.
        if getattr(self, "is_open", False):
            self.close()

    def __getstate__(self):
        """Pickles the path, flag and open state; the file is reopened on unpickling."""
        state = dict(self.__dict__)
        state["_file"] = None
        return state

    def __setstate__(self, state):
        self.__dict__ = state
        was_open = state["is_open"]
        self.is_open = False
        if was_open:
            self.open()

    def _check_pid(self, allow_reset=False):
        """Reopens (or refuses) in a forked process, which would share the file offset."""
        if self.pid != os.getpid():
            if not allow_reset:
                raise RuntimeError("Forbidden operation in multiple processes")
            self.reset()

    def _check_mode(self, op, want_writable):
        if not self.is_open:
            raise MXNetValueError(f"{op} on closed RecordIO file {self.uri!r}")
        if want_writable is not None and self.writable != want_writable:
            need = "w" if want_writable else "r"
            raise MXNetValueError(f"{op} needs flag {need!r}, but {self.uri!r} has {self.flag!r}")

    def reset(self):
        """Moves back to the first record; in 'w' mode this truncates the file."""
        self.close()
        self.open()

    def tell(self):
        """Returns the byte offset of the next record to be written or read."""
        self._check_mode("tell", want_writable=None)
        return self._file.tell()

    def write(self, buf):
        """Appends `buf` (bytes) as one record."""
        self._check_mode("write", want_writable=True)
        self._check_pid(allow_reset=False)
        self._file.write(_encode_record(_as_bytes(buf, "MXRecordIO.write")))

    def read(self):
        """Returns the next record as bytes, or None at the end of the file."""
        self._check_mode("read", want_writable=False)
        self._check_pid(allow_reset=False)
        if self._eof:
            return None
        parts = []
        while True:
            head = self._file.read(_PART_HEADER.size)
            if not head and not parts:
                self._eof = True
                return None
            if len(head) != _PART_HEADER.size:
                raise MXNetError(f"Invalid RecordIO file {self.uri!r}: truncated record header")
            magic, lrec = _PART_HEADER.unpack(head)
            if magic != _MAGIC:
                offset = self._file.tell() - _PART_HEADER.size
                raise MXNetError(f"Invalid RecordIO file {self.uri!r}: bad magic at {offset}")
            cflag, length = lrec >> 29, lrec & _LENGTH_MASK
            data = self._file.read(_pad4(length))
            if len(data) != _pad4(length):
                raise MXNetError(f"Invalid RecordIO file {self.uri!r}: truncated record body")
            parts.append(data[:length])
            if cflag in (_WHOLE, _LAST):
                return _MAGIC_BYTES.join(parts)


class MXIndexedRecordIO(MXRecordIO):
    """Reads/writes the `RecordIO` data format with random access through an index file.

    The index is a text file of ``key\\toffset`` lines, the same as MXNet's and ``im2rec``'s.

    Parameters
    ----------
    idx_path : str
        Path to the index file.
    uri : str
        Path to the record file (must be seekable).
    flag : str
        'w' for write or 'r' for read.
    key_type : type
        Type the keys are converted to (``int`` by default).

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> idx, rec = os.path.join(d, 'tmp.idx'), os.path.join(d, 'tmp.rec')
    >>> record = MXIndexedRecordIO(idx, rec, 'w')
    >>> for i in range(5):
    ...     record.write_idx(i, b'record_%d' % i)
    >>> record.close()
    >>> record = MXIndexedRecordIO(idx, rec, 'r')
    >>> record.read_idx(3), record.keys
    (b'record_3', [0, 1, 2, 3, 4])
    """

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = idx_path
        self.idx = {}
        self.keys = []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self):
        super().open()
        self.idx = {}
        self.keys = []
        self.fidx = open(self.idx_path, self.flag)  # noqa: SIM115
        if not self.writable:
            for line in self.fidx:
                fields = line.strip().split("\t")
                if len(fields) < 2:
                    continue  # blank trailing lines
                key = self.key_type(fields[0])
                self.idx[key] = int(fields[1])
                self.keys.append(key)

    def close(self):
        """Closes the record and index files."""
        if not self.is_open:
            return
        super().close()
        if self.fidx is not None:  # None when opening the index itself failed
            self.fidx.close()

    def __getstate__(self):
        state = super().__getstate__()
        state["fidx"] = None
        return state

    def seek(self, idx):
        """Moves the read position to the record stored under key `idx`."""
        self._check_mode("seek", want_writable=False)
        self._check_pid(allow_reset=True)
        self._file.seek(self.idx[idx])
        # NOTE: dmlc keeps its end-of-stream flag across seeks, so MXNet's read_idx returns None
        # once a sequential read has hit the end; clearing it here is the useful behaviour.
        self._eof = False

    def read_idx(self, idx):
        """Returns the record stored under key `idx`."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Writes `buf` as a record and indexes it under key `idx`."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record: ``(flag, label, id, id2)``, packed by :func:`pack`.

`flag` is the number of float labels after the header (0 when `label` is one number), `label`
a float or an array of floats, `id` usually the record's unique id and `id2` its higher bits.
"""
# MXNet uses native 'IfQQ'; it has no padding, so '<' gives the same 24 bytes on x86/ARM.
_IR_FORMAT = "<IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """Packs a header and a payload into one record buffer (an ``MXImageRecord``).

    Parameters
    ----------
    header : IRHeader or tuple
        ``(flag, label, id, id2)``. A numeric `label` is stored in the header (flag 0); an
        array-like one is stored as float32 after it, and flag becomes its length.
    s : bytes
        The payload, e.g. an encoded image.

    Returns
    -------
    bytes
        The packed record.

    Examples
    --------
    >>> len(pack(IRHeader(0, 4.0, 2574, 0), b'abc'))
    27
    >>> unpack(pack((0, [1, 2], 7, 0), b'abc'))
    (HEADER(flag=2, label=array([1., 2.], dtype=float32), id=7, id2=0), b'abc')
    """
    header = IRHeader(*header)
    s = _as_bytes(s, "pack")
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + s
    return struct.pack(_IR_FORMAT, *header) + s


def unpack(s):
    """Splits a record buffer into its header and payload.

    Parameters
    ----------
    s : bytes
        A record, e.g. from :meth:`MXRecordIO.read`.

    Returns
    -------
    (IRHeader, bytes)
        The header (``label`` is a float32 array when ``flag > 0``, else a float) and payload.

    Examples
    --------
    >>> unpack(pack(IRHeader(0, 14.0, 20129312, 0), b'img'))
    (HEADER(flag=0, label=14.0, id=20129312, id2=0), b'img')
    """
    if len(s) < _IR_SIZE:
        raise MXNetValueError(f"unpack needs at least {_IR_SIZE} header bytes, got {len(s)}")
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4 :]
    return header, s


@functools.cache
def _codec():
    """Returns ('cv2', cv2) or ('pil', PIL.Image), preferring OpenCV as MXNet does.

    Imported on first use so that ``import mixnet`` does not pay for OpenCV.
    """
    try:
        import cv2

        return "cv2", cv2
    except ImportError:
        pass
    try:
        from PIL import Image

        return "pil", Image
    except ImportError:
        msg = "pack_img/unpack_img need opencv-python-headless or pillow installed"
        raise MXNetError(msg) from None


def _pil_decode(Image, buf, iscolor):
    try:
        im = Image.open(io.BytesIO(buf))
        im.load()
    except Exception:  # noqa: BLE001 - Pillow raises many types; cv2.imdecode gives None
        return None
    if iscolor == 0:
        return np.asarray(im.convert("L"))
    if iscolor < 0 and (im.mode == "L" or im.mode.startswith("I;16")):
        return np.asarray(im)  # unchanged: single channel stays 2-D, like cv2
    if iscolor < 0 and ("A" in im.getbands() or "transparency" in im.info):
        return np.ascontiguousarray(np.asarray(im.convert("RGBA"))[:, :, [2, 1, 0, 3]])
    return np.ascontiguousarray(np.asarray(im.convert("RGB"))[:, :, ::-1])


def _pil_encode(Image, img, img_fmt, quality):
    fmt = Image.registered_extensions().get(img_fmt.lower())
    if fmt is None:
        raise MXNetValueError(f"pack_img: unknown image format {img_fmt!r}")
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 3:  # cv2 convention: BGR(A) in, PIL wants RGB(A)
        img = img[:, :, [2, 1, 0, 3][: img.shape[2]]]
    im = Image.fromarray(np.ascontiguousarray(img))
    options = {}
    if fmt == "JPEG":
        im = im.convert("RGB") if im.mode == "RGBA" else im  # cv2 drops alpha for JPEG too
        options = {"quality": quality}
    elif fmt == "PNG":
        # cv2 clamps the PNG level to 0-9, so the default quality=95 means "best"; so do we.
        options = {"compress_level": min(max(int(quality), 0), 9)}
    out = io.BytesIO()
    im.save(out, format=fmt, **options)
    return out.getvalue()


def unpack_img(s, iscolor=-1):
    """Unpacks a record into its header and decoded image.

    Parameters
    ----------
    s : bytes
        A record made by :func:`pack_img`.
    iscolor : int
        ``cv2.imdecode`` flag: -1 unchanged, 0 grayscale (2-D result), 1 three-channel colour.

    Returns
    -------
    (IRHeader, numpy.ndarray or None)
        The header and the image, HWC in BGR order like ``cv2.imdecode`` (None if undecodable).

    Examples
    --------
    >>> img = np.zeros((4, 6, 3), np.uint8)
    >>> header, out = unpack_img(pack_img((0, 1.0, 0, 0), img, quality=9, img_fmt='.png'))
    >>> out.shape, out.dtype
    ((4, 6, 3), dtype('uint8'))
    """
    header, s = unpack(s)
    name, lib = _codec()
    if name == "cv2":
        return header, lib.imdecode(np.frombuffer(s, dtype=np.uint8), iscolor)
    return header, _pil_decode(lib, s, iscolor)


def pack_img(header, img, quality=95, img_fmt=".jpg"):
    """Encodes an image and packs it with a header into one record.

    Parameters
    ----------
    header : IRHeader or tuple
        See :func:`pack`.
    img : numpy.ndarray
        HWC image in BGR(A) order (cv2 convention), or a 2-D grayscale image.
    quality : int
        JPEG quality (1-100), or PNG compression level (0-9).
    img_fmt : str
        Encoding, by extension: '.jpg' / '.jpeg' for JPEG, '.png' for PNG.

    Returns
    -------
    bytes
        The packed record.

    Examples
    --------
    >>> record = pack_img(IRHeader(0, 4.0, 2574, 0), np.zeros((8, 8, 3), np.uint8))
    >>> unpack(record)[1][:2] == b'\\xff\\xd8'  # JPEG start-of-image marker
    True
    """
    name, lib = _codec()
    if name == "pil":
        return pack(header, _pil_encode(lib, img, img_fmt, quality))
    params = []
    if img_fmt.upper() in (".JPG", ".JPEG"):
        params = [lib.IMWRITE_JPEG_QUALITY, quality]
    elif img_fmt.upper() == ".PNG":
        params = [lib.IMWRITE_PNG_COMPRESSION, quality]
    try:
        ok, buf = lib.imencode(img_fmt, img, params)
    except lib.error as err:
        raise MXNetValueError(f"pack_img: cannot encode image as {img_fmt!r}: {err}") from err
    if not ok:
        raise MXNetError(f"pack_img: failed to encode image as {img_fmt!r}")
    return pack(header, buf.tobytes())
