"""Helpers of the executor group: splitting a batch over devices, loading the slices,
merging per-device outputs and averaging per-device parameters.

Layer 12.
"""
from .. import ndarray as nd
from ..context import Context, cpu


def _split_input_slice(batch_size, work_load_list):
    """Slices of ``range(batch_size)``, one per device, sized by ``work_load_list``."""
    total = sum(work_load_list)
    sizes = [round(w * batch_size / total) for w in work_load_list]
    if sum(sizes) < batch_size:
        sizes[-1] += batch_size - sum(sizes)
    slices, end = [], 0
    for size in sizes:
        begin = int(min(end, batch_size))
        end = int(min(begin + size, batch_size))
        if begin >= end:
            raise ValueError(f"Too many slices: batch size {batch_size} cannot be split over "
                             f"work load {list(work_load_list)}; some splits are empty.")
        slices.append(slice(begin, end))
    return slices


def _copy_slice(src, dst, islice, axis):
    """Copy ``src[islice]`` along ``axis`` into ``dst`` (whole ``src`` when ``axis < 0``)."""
    if axis < 0 or (islice.start == 0 and islice.stop == src.shape[axis]):
        src.copyto(dst)
    elif axis == 0:
        src[islice.start:islice.stop].copyto(dst)
    else:
        nd.slice_axis(src, axis=axis, begin=islice.start, end=islice.stop).copyto(dst)


def _load_general(data, targets, major_axis):
    """Copy each source array into its per-device targets ``[(slice, array), ...]``."""
    for src, dsts, axis in zip(data, targets, major_axis):
        if isinstance(dsts, nd.NDArray):
            src.copyto(dsts)
        elif isinstance(src, (list, tuple)):   # already one array per device
            for s, d in zip(src, dsts):
                s.copyto(d)
        else:
            for islice, dst in dsts:
                _copy_slice(src, dst, islice, axis)


def _load_batch(batch, targets, major_axis, field):
    """Load ``batch.<field>`` (or, for a list of per-device batches, each one's)."""
    if isinstance(batch, list):
        data = [[getattr(b, field)[i] for b in batch] for i in range(len(targets))]
        _load_general(data, [[dst for _, dst in t] for t in targets], major_axis)
    else:
        _load_general(getattr(batch, field), targets, major_axis)


def _merge_multi_context(outputs, major_axis):
    """One array per output: per-device arrays concatenated along the batch axis (or the
    first device's array when the output has no batch axis)."""
    merged = []
    for tensors, axis in zip(outputs, major_axis):
        if axis >= 0 and len(tensors) > 1:
            ctx = tensors[0].context
            merged.append(nd.concat(*[t.as_in_context(ctx) for t in tensors], dim=axis))
        else:
            merged.append(tensors[0])
    return merged


def _prepare_group2ctxs(group2ctxs, ctx_len):
    """A list of ``ctx_len`` group->context dicts (or Nones) from the Module argument."""
    if group2ctxs is None:
        return [None] * ctx_len
    if isinstance(group2ctxs, list):
        if len(group2ctxs) != ctx_len:
            raise ValueError(f"group2ctxs is a list of {len(group2ctxs)} dicts, but there are "
                             f"{ctx_len} contexts; give one dict per context")
        return group2ctxs
    if isinstance(group2ctxs, dict):
        ret = [{} for _ in range(ctx_len)]
        for group, ctxs in group2ctxs.items():
            if isinstance(ctxs, Context):
                ctxs = [ctxs] * ctx_len
            elif len(ctxs) == 1:
                ctxs = list(ctxs) * ctx_len
            elif len(ctxs) != ctx_len:
                raise ValueError(f"group2ctxs[{group!r}] has {len(ctxs)} contexts; it must "
                                 f"have 1 or {ctx_len} (one per context)")
            for i in range(ctx_len):
                ret[i][group] = ctxs[i]
        return ret
    raise TypeError("group2ctxs must be a dict of str to Context (or list of Context), "
                    f"or a list of such dicts; got {type(group2ctxs).__name__}")


def _label_slice(label, axis, islice):
    if axis == 0:
        return label[islice]
    if axis > 0:
        return nd.slice_axis(label, axis=axis, begin=islice.start, end=islice.stop)
    return label


def _average_into(block, target):
    """Write the mean of the per-device arrays ``block`` into ``target``."""
    if len(block) == 1:
        src = block[0]
    else:
        src = block[0].as_in_context(cpu())
        for w in block[1:]:
            src = src + w.as_in_context(cpu())
        src = src / len(block)
    if src.dtype != target.dtype:
        src = src.astype(target.dtype)
    src.copyto(target)
