/*
 * Duration-window sum, mean, sample std (ddof=1), z-score, population
 * variance (ddof=0), minimum and maximum: the valid points of
 * (t - window, t] for each valid point's timestamp t.
 *
 * The kernels take the points block by block (the feed, below): gather
 * the block's finite values and their timestamps (these into the
 * output), find the left edges of its windows (_edges.h: without a
 * mispredicted branch, or by walking where points leave at a steady
 * pace), then one loop over the block reads each window through its left
 * edge.  No loop depends on how many points leave a window, the branch
 * that made the walk-along kernels 2-4x slower than those of count
 * windows on irregular steps.
 *
 * - Sums and means: differences of prefix sums.  The prefix restarts
 *   every SUM_BLOCK points, so its magnitude (and a window's rounding
 *   error) stays within SUM_BLOCK values; the block totals are added up
 *   in double-double.
 * - Std, z-score, variance: a queue of two stacks.  The window [l, k] is
 *   cut at a split point s: for each j <= s the count, mean and m2 of
 *   [j, s] (suffix statistics, built backwards when l passes s, over
 *   the window at that moment: each point once) and a running Welford
 *   update of (s, k].  The two halves combine by Chan's formula, whose
 *   terms are all non-negative: no cancellation, whatever the data (a
 *   sliding add-and-remove update loses to cancellation what a spike
 *   brought in).  A constant window gets exactly 0.
 * - Minimum, maximum: the same queue, of maxima.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "_feed.h"

/* As statsvc_plugins._kernels.MOMENTS numbers them, then the extremes. */
enum kind { SUM, MEAN, STD, ZSCORE, VAR, MIN, MAX };

/* Prefix sums restart every SUM_BLOCK points (a power of two). */
#define SUM_SHIFT 10
#define SUM_BLOCK (1 << SUM_SHIFT)

/* Sums (or means, `mean`) of the windows of the points of finite values,
 * gathered into tv, their results into out; the number of points, or -1
 * if out of memory.  The feed's buffer holds prefix sums in place of the
 * values, restarted every SUM_BLOCK points; the sums of the blocks before
 * each are in double-double (two-sum). */
static Py_ssize_t sums(const long long *t, const double *x, Py_ssize_t n,
                       long long window, int mean, long long *tv,
                       double *out)
{
    Py_ssize_t blocks = n / SUM_BLOCK + 2;
    double *total_hi = malloc(2 * blocks * sizeof(double)), sum = 0, hi = 0,
           lo = 0;
    feed f;
    int more = feed_open(&f, t, x, n, tv, 1) < 0 || total_hi == NULL ? -1
               : feed_next(&f, window);
    double *total_lo = total_hi ? total_hi + blocks : NULL;
    while (more > 0) {
        double *v = f.values;
        Py_ssize_t base = f.base;
        for (Py_ssize_t k = f.start; k < f.stop; k++) {
            if ((k & (SUM_BLOCK - 1)) == 0) {
                double next = hi + sum, back = next - hi;
                lo += (hi - (next - back)) + (sum - back);
                hi = next;
                total_hi[k >> SUM_SHIFT] = hi;
                total_lo[k >> SUM_SHIFT] = lo;
                sum = 0;
            }
            sum += v[k - base];
            v[k - base] = sum;
            /* The prefix sums of points up to k are all there now. */
            Py_ssize_t l = f.lefts[k - f.start], bk = k >> SUM_SHIFT,
                       bl = l >> SUM_SHIFT;
            double before = l & (SUM_BLOCK - 1) ? v[l - 1 - base] : 0;
            double r = (sum - before)
                       + ((total_hi[bk] - total_hi[bl])
                          + (total_lo[bk] - total_lo[bl]));
            out[k] = mean ? r / (double)(k - l + 1) : r;
        }
        more = feed_next(&f, window);
    }
    Py_ssize_t nv = more < 0 ? -1 : f.stop;
    feed_close(&f);
    free(total_hi);
    return nv;
}

/* 1 / c for c < *size, grown to cover c < need: 0, or -1 if out of
 * memory. */
static int reciprocals(double **table, Py_ssize_t *size, Py_ssize_t need)
{
    if (need <= *size)
        return 0;
    Py_ssize_t grown = need > 2 * *size ? need : 2 * *size;
    double *t = realloc(*table, grown * sizeof(double));
    if (t == NULL)
        return -1;
    for (Py_ssize_t c = *size; c < grown; c++)
        t[c] = 1.0 / (double)c;
    *table = t;
    *size = grown;
    return 0;
}

/* The suffix statistics of x[j .. count - 1] for each j < count, about
 * `centre`: their means into x[j], their m2 into m2s[j].  A call of its
 * own: inlined, its variables crowded the registers of its caller's loop. */
static __attribute__((noinline)) void
suffix_spreads(double *x, double *m2s, Py_ssize_t count, double centre,
               const double *inv)
{
    double sum = 0, mean = 0, m2 = 0;
    for (Py_ssize_t j = count - 1; j >= 0; j--) {
        double y = x[j] - centre, before = mean;
        sum += y;
        mean = sum * inv[count - j];
        m2 += (y - before) * (y - mean);
        x[j] = mean;
        m2s[j] = m2;
    }
}

/* Std, z-score or variance (`kind`, a constant where it is inlined) of
 * the windows of the feed's points, into out: 0, or -1 if out of memory.
 * The suffix statistics of [j, split] are its mean (about `centre`) and
 * m2, which take the place of x[j] in the feed's two buffers (no later
 * rebuild reads x[j] again); the running half (split, k] keeps its count,
 * sum, mean and m2 about its own centre.  Both centres are points of
 * every window that reads them, so deviations from them are as exact as
 * the window's own spread allows.  Both halves are Welford's update with
 * the mean as sum / count, off the chain of dependent additions, and
 * every division is by a count: a product by its reciprocal from a table
 * (divisions took half the time). */
static inline __attribute__((always_inline)) int
spreads_of(feed *f, long long window, int kind, double *out)
{
    double *inv = NULL;
    Py_ssize_t size = 0, split = -1, count = 0;
    double centre = 0, run_centre = 0, run_sum = 0, run_mean = 0,
           run_m2 = 0;
    int more = feed_next(f, window);
    while (more > 0) {
        /* No window of the block holds more than stop - lefts[0] points. */
        if (reciprocals(&inv, &size, f->stop - f->lefts[0] + 2) < 0) {
            more = -1;
            break;
        }
        double *v = f->values, *m2s = f->values + f->size;
        Py_ssize_t base = f->base;
        for (Py_ssize_t k = f->start; k < f->stop; k++) {
            Py_ssize_t l = f->lefts[k - f->start];
            if (l > split) {
                centre = k > l ? v[k - 1 - base] : 0;
                suffix_spreads(v + (l - base), m2s + (l - base), k - l,
                               centre, inv);
                split = k - 1;
                count = 0;
                run_centre = v[k - base];
                run_sum = run_mean = run_m2 = 0;
            }
            double y = v[k - base] - run_centre, before = run_mean;
            run_sum += y;
            run_mean = run_sum * inv[++count];
            run_m2 += (y - before) * (y - run_mean);
            /* Chan's combination with the suffix [l, split], about the
             * running half's centre. */
            Py_ssize_t all = count;
            double m2 = run_m2, mean = run_mean;
            if (l <= split) {
                Py_ssize_t na = split - l + 1;
                double mean_a = v[l - base] + (centre - run_centre);
                double delta = mean - mean_a;
                double share = (double)count * inv[na + count];
                m2 += m2s[l - base] + delta * delta * ((double)na * share);
                if (kind == ZSCORE)
                    mean = mean_a + delta * share;
                all = na + count;
            }
            if (kind == VAR)
                out[k] = m2 * inv[all];
            else {
                double std = sqrt(m2 * inv[all - 1]);
                out[k] = kind == STD ? std : std > 0 ? (y - mean) / std : 0;
            }
        }
        if (more > 0)
            more = feed_next(f, window);
    }
    free(inv);
    return more < 0 ? -1 : 0;
}

/* Std, z-score or variance (`kind`) of the windows of the points of
 * finite values, gathered into tv, their results into out; the number of
 * points, or -1 if out of memory. */
static Py_ssize_t spreads(const long long *t, const double *x, Py_ssize_t n,
                          long long window, int kind, long long *tv,
                          double *out)
{
    feed f;
    int failed = feed_open(&f, t, x, n, tv, 2) < 0
        || (kind == STD ? spreads_of(&f, window, STD, out)
            : kind == ZSCORE ? spreads_of(&f, window, ZSCORE, out)
            : spreads_of(&f, window, VAR, out)) < 0;
    feed_close(&f);
    return failed ? -1 : f.stop;
}

/* Minimum or maximum (`maximum`) of the windows of the points of finite
 * values, gathered into tv, their results into out; the number of
 * points, or -1 if out of memory.  The suffix maxima of sign * x take the
 * place of x in the feed's buffer, which no later rebuild reads again. */
static Py_ssize_t extremes(const long long *t, const double *x,
                           Py_ssize_t n, long long window, int maximum,
                           long long *tv, double *out)
{
    double sign = maximum ? 1.0 : -1.0, running = -INFINITY;
    Py_ssize_t split = -1;
    feed f;
    int more = feed_open(&f, t, x, n, tv, 1) < 0 ? -1
               : feed_next(&f, window);
    while (more > 0) {
        double *v = f.values;
        Py_ssize_t base = f.base;
        for (Py_ssize_t k = f.start; k < f.stop; k++) {
            Py_ssize_t l = f.lefts[k - f.start];
            if (l > split) {
                double most = -INFINITY;
                for (Py_ssize_t j = k - 1; j >= l; j--) {
                    double y = sign * v[j - base];
                    most = y > most ? y : most;
                    v[j - base] = most;
                }
                split = k - 1;
                running = -INFINITY;
            }
            double y = sign * v[k - base];
            running = y > running ? y : running;
            double before = l <= split ? v[l - base] : -INFINITY;
            out[k] = sign * (before > running ? before : running);
        }
        more = feed_next(&f, window);
    }
    Py_ssize_t nv = more < 0 ? -1 : f.stop;
    feed_close(&f);
    return nv;
}

/* Fill out_t, out; return how many, or -1 if out of memory. */
static Py_ssize_t move_time(const long long *t, const double *x,
                            Py_ssize_t n, long long window,
                            Py_ssize_t min_points, int kind,
                            long long *out_t, double *out)
{
    Py_ssize_t nv;
    if (kind == SUM || kind == MEAN)
        nv = sums(t, x, n, window, kind == MEAN, out_t, out);
    else if (kind >= MIN)
        nv = extremes(t, x, n, window, kind == MAX, out_t, out);
    else
        nv = spreads(t, x, n, window, kind, out_t, out);
    if (nv < 0 || min_points == 1)
        return nv;
    return keep_full(out_t, out, nv, window, min_points);
}

PyDoc_STRVAR(move_time_doc,
"move_time(timestamps, values, window, min_points, kind, out_timestamps,\n"
"          out) -> int\n"
"\n"
"For each finite value whose window holds at least ``min_points`` finite\n"
"values, the sum (``kind`` 0), mean (1), sample std (2, ddof=1), z-score\n"
"of the point (3, ``(x - mean) / std``, 0 for a constant window),\n"
"population variance (4, ddof=0), minimum (5) or maximum (6) of the\n"
"finite values whose timestamps are in ``(t - window, t]``, ``t`` its\n"
"own: written with ``t`` into ``out_timestamps`` and ``out`` in order;\n"
"return how many.  ``timestamps`` (int64 ns, ascending) and ``values``\n"
"(float64) are C-contiguous buffers of one length, the outputs writable\n"
"ones as long, ``window`` > 0 ns; the std, z-score and variance need 2\n"
"points, whatever ``min_points`` says.  Releases the GIL.");

static PyObject *py_move_time(PyObject *self, PyObject *args)
{
    series_buffers b;
    long long window;
    Py_ssize_t min_points, written = -1;
    int kind;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Lniw*w*", &b.t, &b.values, &window,
                          &min_points, &kind, &b.out_t, &b.out))
        return NULL;
    Py_ssize_t n = series_points(&b);
    if (n >= 0 && (kind < SUM || kind > MAX))
        PyErr_SetString(PyExc_ValueError, "kind must be 0 to 6");
    else if (n >= 0 && (window < 1 || min_points < 1))
        PyErr_SetString(PyExc_ValueError,
                        "window and min_points must be positive");
    else if (n >= 0) {
        if (kind >= STD && kind <= VAR && min_points < 2)
            min_points = 2;
        Py_BEGIN_ALLOW_THREADS
        written = move_time(b.t.buf, b.values.buf, n, window, min_points,
                            kind, b.out_t.buf, b.out.buf);
        Py_END_ALLOW_THREADS
    }
    return series_done(&b, written);
}

static PyMethodDef methods[] = {
    {"move_time", py_move_time, METH_VARARGS, move_time_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_duration_kernels",
    "Duration-window sums, means, spreads and extremes, without a "
    "mispredicted branch.",
    -1, methods
};

PyMODINIT_FUNC PyInit__duration_kernels(void)
{
    return PyModule_Create(&module);
}
