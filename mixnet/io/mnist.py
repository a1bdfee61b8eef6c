"""MNISTIter: batches of the MNIST idx files (images scaled by 1/256, float32 labels)."""
import sys

import numpy as np

from ..base import MXNetError
from .native import BatchLoader, MXDataIter, as_bool, as_dtype, list_files, shape_str

__all__ = ["MNISTIter"]


def _read_idx(path, header_ints):
    """The big-endian header ints and the byte payload of an MNIST idx file."""
    with open(list_files(path)[0], "rb") as f:
        blob = f.read()
    if len(blob) < 4 * header_ints:
        raise MXNetError(f"invalid mnist format: {path}")
    header = np.frombuffer(blob[:4 * header_ints], dtype=">i4").tolist()
    return header, blob[4 * header_ints:]


def _part(count, num_parts, part_index):
    """[start, end) of a part, computed in double precision as MXNet does."""
    if not (num_parts > 0 and 0 <= part_index < num_parts):
        raise MXNetError(f"MNISTIter: need 0 <= part_index ({part_index}) < num_parts "
                         f"({num_parts})")
    return int(count / num_parts * part_index), int(count / num_parts * (part_index + 1))


def _mt19937_words(seed):
    """The 32-bit outputs of ``std::mt19937(seed)`` (NumPy's legacy MT19937 is the same)."""
    rng = np.random.RandomState(seed & 0xFFFFFFFF)
    while True:
        yield from rng.randint(0, 2 ** 32, size=4096, dtype=np.uint32).tolist()


def std_shuffle_permutation(n, seed):
    """The permutation ``std::shuffle(v, v + n, std::mt19937(seed))`` gives in MXNet's build.

    That libstdc++ swaps v[i] with v[uniform_int(0, i)] for i = 1..n-1, where
    uniform_int draws 32-bit words until one is below a multiple of (i + 1), then divides.
    Reproducing it keeps MNISTIter(shuffle=True, seed=s) in MXNet's order.
    """
    words = _mt19937_words(seed)
    perm = list(range(n))
    for i in range(1, n):
        scaling = 0xFFFFFFFF // (i + 1)
        past = (i + 1) * scaling
        word = next(words)
        while word >= past:
            word = next(words)
        j = word // scaling
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)


class _MNISTRows:
    def __init__(self, images, labels, inst):
        self.images, self.labels, self.inst = images, labels, inst
        self.num_rows = len(labels)

    def rows(self, idx):
        return self.images[idx], self.labels[idx]


class MNISTIter(MXDataIter):
    """Iterating on the MNIST dataset (idx files from http://yann.lecun.com/exdb/mnist/).

    Parameters (keyword only)
    -------------------------
    image, label : str
        Paths of the idx image / label files.
    batch_size : int, default 128
        An incomplete last batch is dropped.
    shuffle : bool, default True
        Shuffle once, at construction, with ``seed`` (same order as MXNet's).
    flat : bool, default False
        Data as ``(batch, rows*cols)`` instead of ``(batch, 1, rows, cols)``.
    seed : int, default 0
    silent : bool, default False
        False: print the number of images and the batch shape to stderr.
    num_parts, part_index : int
        Read only part ``part_index`` of ``num_parts`` equal parts.
    dtype : optional output data type.

    Examples
    --------
    >>> it = mx.io.MNISTIter(image='train-images-idx3-ubyte', label='train-labels-idx1-ubyte',
    ...                      batch_size=100, flat=True)  # doctest: +SKIP
    """

    def __init__(self, *args, image="./train-images-idx3-ubyte",
                 label="./train-labels-idx1-ubyte", batch_size=128, shuffle=True, flat=False,
                 seed=0, silent=False, num_parts=1, part_index=0, prefetch_buffer=4,
                 ctx="gpu", dtype=None, data_name="data", label_name="softmax_label",
                 **kwargs):
        if args:
            raise TypeError("MNISTIter can only accept keyword arguments")
        batch_size, num_parts, part_index = int(batch_size), int(num_parts), int(part_index)
        if batch_size < 1:
            raise MXNetError(f"MNISTIter: batch_size must be >= 1, got {batch_size}")
        flat, shuffle = as_bool(flat), as_bool(shuffle)
        images = self._load_images(image, num_parts, part_index, flat)
        labels = self._load_labels(label, num_parts, part_index)
        if len(labels) != len(images):
            raise MXNetError(f"MNISTIter: {len(images)} images but {len(labels)} labels")
        inst = np.arange(len(labels))
        if shuffle:
            inst = std_shuffle_permutation(len(labels), int(seed))
            images, labels = images[inst], labels[inst]
        if not as_bool(silent):
            self._announce(len(labels), shuffle, (batch_size,) + images.shape[1:], flat)
        rows = _MNISTRows(images, labels, inst)
        super().__init__(BatchLoader(rows, batch_size, "discard"), data_name, label_name,
                         dtype=as_dtype(dtype))

    @staticmethod
    def _load_images(path, num_parts, part_index, flat):
        (_, count, n_rows, n_cols), payload = _read_idx(path, 4)
        start, end = _part(count, num_parts, part_index)
        size = n_rows * n_cols
        if len(payload) < end * size:
            raise MXNetError(f"invalid mnist format: {path} is too short for {count} images")
        pixels = np.frombuffer(payload, dtype=np.uint8, count=(end - start) * size,
                               offset=start * size) if end > start else np.zeros(0, np.uint8)
        shape = (-1, size) if flat else (-1, 1, n_rows, n_cols)
        # normalised to [0, 1) by 1/256 (exact in float32), as MXNet
        return pixels.astype(np.float32).reshape(shape) * np.float32(1.0 / 256.0)

    @staticmethod
    def _load_labels(path, num_parts, part_index):
        (_, count), payload = _read_idx(path, 2)
        start, end = _part(count, num_parts, part_index)
        if len(payload) < end:
            raise MXNetError(f"invalid mnist format: {path} is too short for {count} labels")
        return np.frombuffer(payload, dtype=np.uint8, count=end - start,
                             offset=start).astype(np.float32)

    @staticmethod
    def _announce(count, shuffle, shape, flat):
        shape_text = f"({shape[0]},{shape[1]})" if flat else shape_str(shape)
        print(f"MNISTIter: load {count} images, shuffle={int(shuffle)}, shape={shape_text}",
              file=sys.stderr)

    def getindex(self):
        # the example indices (after shuffling) of the current batch
        index = super().getindex()
        return self._loader.source.inst[index.astype(np.int64)].astype(np.uint64)
