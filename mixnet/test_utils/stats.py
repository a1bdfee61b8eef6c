"""Statistical checks of random generators in ``mx.test_utils``: mean/variance bounds and
chi-square tests over buckets.

Part of the test-helper layer (12). scipy is optional: only ``chi_square_check`` (and so
``verify_generator``) needs it.
"""
import numpy as np

try:
    import scipy.stats as ss
except ImportError:
    ss = None

__all__ = ["gen_buckets_probs_with_ppf", "mean_check", "var_check", "chi_square_check",
           "verify_generator"]


def gen_buckets_probs_with_ppf(ppf, nbuckets):
    """``nbuckets`` equal-probability buckets [(lo, hi), ...] from a quantile function."""
    if nbuckets <= 0:
        raise ValueError(f"nbuckets must be positive, got {nbuckets}")
    probs = [1.0 / nbuckets for _ in range(nbuckets)]
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets)))
               for i in range(nbuckets)]
    return buckets, probs


def mean_check(generator, mu, sigma, nsamples=1000000):
    """Whether the mean of ``generator(nsamples)`` lies within mu +- 3 sigma / sqrt(n)."""
    samples = np.array(generator(nsamples))
    sample_mean = samples.mean()
    bound = 3 * sigma / np.sqrt(nsamples)
    return (sample_mean > mu - bound) and (sample_mean < mu + bound)


def var_check(generator, sigma, nsamples=1000000):
    """Whether the sample variance lies within sigma^2 +- 3 sqrt(2 sigma^4 / (n - 1))."""
    samples = np.array(generator(nsamples))
    sample_var = samples.var(ddof=1)
    bound = 3 * np.sqrt(2 * sigma ** 4 / (nsamples - 1))
    return (sample_var > sigma ** 2 - bound) and (sample_var < sigma ** 2 + bound)


def _bucket_ids(samples, buckets):
    """Bucket index of each sample (continuous buckets), or the samples themselves."""
    if not isinstance(buckets[0], (list, tuple)):
        return np.array(samples), False
    edges = np.zeros((len(buckets) * 2,), dtype=np.float32)
    for i, (lo, hi) in enumerate(buckets):
        if lo > hi or (i < len(buckets) - 1 and hi > buckets[i + 1][0]):
            raise ValueError("buckets must be ascending and must not overlap")
        edges[2 * i], edges[2 * i + 1] = lo, hi
    return np.searchsorted(edges, samples, side='right') // 2, True


def chi_square_check(generator, buckets, probs, nsamples=1000000):
    """Chi-square test of ``generator(nsamples)`` against bucket probabilities.

    ``buckets`` are (lo, hi) ranges for continuous distributions or the possible values
    for discrete ones. Returns (p value, observed frequencies, expected frequencies).
    """
    if not ss:
        raise ImportError("scipy is not available."
                          " Please check if the scipy python bindings are installed.")
    if not isinstance(buckets, list) or len(probs) != len(buckets):
        raise ValueError("buckets must be a list with one probability per bucket")
    samples = generator(nsamples)
    expected_freq = (nsamples * np.array(probs, dtype=np.float32)).astype(np.int32)
    ids, continuous = _bucket_ids(samples, buckets)
    obs_freq = np.zeros(shape=len(buckets), dtype=np.int64)
    for i, bucket in enumerate(buckets):
        obs_freq[i] = (ids == (i if continuous else bucket)).sum()
    _, p = ss.chisquare(f_obs=obs_freq, f_exp=expected_freq)
    return p, obs_freq, expected_freq


def verify_generator(generator, buckets, probs, nsamples=1000000, nrepeat=5, success_rate=0.2,
                     alpha=0.05):
    """Repeat ``chi_square_check`` ``nrepeat`` times; raise AssertionError unless at
    least ``success_rate`` of the runs have p > ``alpha``. Returns the p values."""
    results = [chi_square_check(generator=generator, buckets=buckets, probs=probs,
                                nsamples=nsamples) for _ in range(nrepeat)]
    cs_ret_l = [r[0] for r in results]
    success_num = (np.array(cs_ret_l) > alpha).sum()
    if success_num < nrepeat * success_rate:
        raise AssertionError(
            "Generator test fails, Chi-square p=%s, obs_freq=%s, expected_freq=%s."
            "\nbuckets=%s, probs=%s" % (str(cs_ret_l), str([r[1] for r in results]),
                                        str([r[2] for r in results]), str(buckets), str(probs)))
    return cs_ret_l
