/*
 * Moving sum, mean, sample standard deviation (ddof=1), z-score and
 * population variance (ddof=0), each in
 * one pass that also tells whether every value was finite.
 *
 * bottleneck has the sum, mean and std, but a plugin then needs a pass of
 * its own to find gaps (NaN, +-inf) first: 25-40 % of a memory-bound
 * kernel's time on 10**6 points.  Here the running state absorbs a
 * non-finite value (it turns NaN or inf and stays so to the end of its
 * block) and is checked once per block.  And bottleneck's move_std is the
 * sliding Welford update on raw values, from one end of the series to the
 * other: it loses eps * mean**2 to cancellation, lets rounding errors pile
 * up (34x the result on 2-point windows of a metric around 1e4) and leaves
 * a residue instead of 0 on constant windows; fixing that around it took
 * five more numpy passes.  Here every update restarts per block of windows
 * from an exact first window, the std's on values centred on the block's
 * mean; a window of equal values (found by the length of the current run
 * of equal values) gets exactly 0; windows of 2 or 3 points are two-pass.
 * A sliding update loses to cancellation what large values brought in and
 * took out: after a spike, a near-constant window's m2 could be all
 * rounding error (z-scores 6 % off, beyond their (w - 1) / sqrt(w) bound).
 * So the update also sums the magnitudes of its terms (the drift, which
 * bounds the rounding error of m2 to a few eps times it) and recomputes
 * the window two-pass, centred on its last value, whenever m2 falls below
 * RESYNC times the drift: on stationary data that never happens within a
 * block; it costs one window pass per large value leaving a small spread.
 * (Duration windows are _duration_kernels.c's.)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* Windows up to this length are computed two-pass, window by window. */
#define TWO_PASS 3

/* Recompute a window whose m2 is below this fraction of the drift of its
 * update: m2's relative error then stays below a few eps / RESYNC, 1e-12. */
#define RESYNC 0x1p-12

/* Nearly the mean of x: the sum of x / n, which cannot overflow (a centre
 * need not be exact), in four partial sums, so that the additions do not
 * wait for each other. */
static double centre_of(const double *x, Py_ssize_t n)
{
    double s[4] = {0, 0, 0, 0}, inv = 1.0 / (double)n;
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s[0] += x[i] * inv;
        s[1] += x[i + 1] * inv;
        s[2] += x[i + 2] * inv;
        s[3] += x[i + 3] * inv;
    }
    for (; i < n; i++)
        s[0] += x[i] * inv;
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* One window, two-pass, centred on c: its mean (centred) and sum of
 * squared deviations. */
static void two_pass(const double *x, Py_ssize_t w, double c,
                     double *mean, double *m2)
{
    double sum = 0, squares = 0;
    for (Py_ssize_t j = 0; j < w; j++)
        sum += x[j] - c;
    *mean = sum / (double)w;
    for (Py_ssize_t j = 0; j < w; j++) {
        double d = (x[j] - c) - *mean;
        squares += d * d;
    }
    *m2 = squares;
}

enum kind { SUM, MEAN, STD, ZSCORE, VAR };

/* 1 / the divisor of m2 for a window of n points: n - 1 (sample std and
 * z-score) or n (population variance). */
static inline double divisor_inv(Py_ssize_t n, enum kind kind)
{
    return 1.0 / (double)(kind == VAR ? n : n - 1);
}

/* The sample std of a window, its last point's z-score, or its population
 * variance; inv from divisor_inv. */
static inline double spread(double m2, double deviation, double inv,
                            int constant, enum kind kind)
{
    if (constant)
        return 0.0;
    if (kind == VAR)
        return m2 < 0 ? 0.0 : m2 * inv;  /* NaN stays NaN */
    double std = sqrt(m2 < 0 ? 0.0 : m2 * inv);
    if (kind == STD)
        return std;
    /* A rounding residue of 0 scores 0, as a constant window does. */
    return std > 0 ? deviation / std : (std == 0 ? 0.0 : std);
}

/* Sums or means of the windows of b[0 .. n - 1] into out; 0 if a value
 * was not finite. */
static int block_sums(const double *b, Py_ssize_t n, Py_ssize_t w,
                      int mean, double *out)
{
    double sum = 0, scale = mean ? 1.0 / (double)w : 1.0;
    for (Py_ssize_t j = 0; j < w; j++)
        sum += b[j];
    out[0] = sum * scale;
    for (Py_ssize_t i = w; i < n; i++) {
        sum += b[i] - b[i - w];
        out[i - w + 1] = sum * scale;
    }
    return isfinite(sum);
}

/* Stds or z-scores of the windows of b[0 .. n - 1] into out; 0 if a value
 * was not finite. */
static int block_spreads(const double *b, Py_ssize_t n, Py_ssize_t w,
                         enum kind kind, double *out)
{
    const double c0 = centre_of(b, n);
    double c = c0, w_inv = 1.0 / (double)w, inv = divisor_inv(w, kind);
    double mean, m2, drift = 0;

    /* run: how many values up to the current one are equal to it. */
    Py_ssize_t run = 1;
    for (Py_ssize_t j = 1; j < w; j++)
        run = b[j] == b[j - 1] ? run + 1 : 1;

    if (w <= TWO_PASS) {
        for (Py_ssize_t i = 0;; i++) {
            two_pass(b + i, w, c, &mean, &m2);
            out[i] = spread(m2, (b[i + w - 1] - c) - mean, inv, run >= w,
                            kind);
            if (i + w == n)
                return isfinite(c0);
            run = b[i + w] == b[i + w - 1] ? run + 1 : 1;
        }
    }
    two_pass(b, w, c, &mean, &m2);
    out[0] = spread(m2, (b[w - 1] - c) - mean, inv, run >= w, kind);
    for (Py_ssize_t i = w; i < n; i++) {
        double in = b[i] - c, gone = b[i - w] - c;
        double delta = in - gone;
        drift += (fabs(in) + fabs(gone)) * fabs(delta);
        gone -= mean;
        mean += delta * w_inv;
        in -= mean;
        m2 += (in + gone) * delta;
        run = b[i] == b[i - 1] ? run + 1 : 1;
        if (m2 < RESYNC * drift) {  /* never true once a value is NaN */
            c = b[i];
            two_pass(b + i - w + 1, w, c, &mean, &m2);
            in = -mean;
            drift = 0;
        }
        out[i - w + 1] = spread(m2, in, inv, run >= w, kind);
    }
    /* c0 is a mean of every value read: a non-finite one made it so. */
    return isfinite(c0);
}

PyDoc_STRVAR(move_moments_doc,
"move_moments(values, window, out, kind, block, stop) -> bool\n"
"\n"
"Write the sum (``kind`` 0), mean (1), sample standard deviation (ddof=1,\n"
"2), last point's z-score (3, ``(x - mean) / std``, 0 for a constant\n"
"window) or population variance (4, ddof=0) of each full window of ``values`` into ``out``.  Return False if\n"
"a value was NaN or infinite, or a sum overflowed: with ``stop`` true,\n"
"as soon as a block meets one, ``out`` then unfinished; else the results\n"
"are NaN or inf from there to the end of its block.  ``values`` is a\n"
"C-contiguous float64 buffer, ``out`` a writable one of\n"
"``len(values) - window + 1`` float64, ``1 <= window <= len(values)``\n"
"(2 for the std, z-score and variance).  The update restarts every\n"
"``max(block, 4 * window)`` windows, at a cost of 1-2 ``window`` steps.\n"
"Releases the GIL.");

static PyObject *py_move_moments(PyObject *self, PyObject *args)
{
    Py_buffer values, out;
    Py_ssize_t window, size;
    int kind, stop, finite = 1;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*nw*inp", &values, &window, &out, &kind,
                          &size, &stop))
        return NULL;
    Py_ssize_t n = values.len / (Py_ssize_t)sizeof(double);
    if (values.len % sizeof(double) || out.len % sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "buffers must hold float64");
    } else if (kind < SUM || kind > VAR) {
        PyErr_SetString(PyExc_ValueError, "kind must be 0, 1, 2, 3 or 4");
    } else if (window < (kind >= STD ? 2 : 1) || window > n || size < 1) {
        PyErr_SetString(PyExc_ValueError, "window or block out of range");
    } else if (out.len / (Py_ssize_t)sizeof(double) != n - window + 1) {
        PyErr_SetString(PyExc_ValueError,
                        "out must hold len(values) - window + 1");
    } else {
        const double *x = values.buf;
        double *o = out.buf;
        Py_ssize_t n_out = n - window + 1;
        if (size < 4 * window)
            size = 4 * window;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t start = 0; start < n_out && (finite || !stop);
             start += size) {
            Py_ssize_t m = (start + size < n_out ? size : n_out - start)
                           + window - 1;
            finite &= kind >= STD
                ? block_spreads(x + start, m, window, kind, o + start)
                : block_sums(x + start, m, window, kind == MEAN, o + start);
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&out);
    if (PyErr_Occurred())
        return NULL;
    return PyBool_FromLong(finite);
}

static PyMethodDef methods[] = {
    {"move_moments", py_move_moments, METH_VARARGS, move_moments_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_moments",
    "Moving sum, mean, std and z-score in one pass, for statsvc_plugins.",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__moments(void)
{
    return PyModule_Create(&module);
}
