/*
 * Median absolute deviation of each window, for the robust outlier flag.
 *
 * The window is kept sorted as it slides (a binary search and a memmove
 * for each point in and out: O(w) bytes moved, but at memory speed).  The
 * median is then its middle, and the deviations from it are two sorted
 * runs (the points below the median read backwards, those above read
 * forwards), so their median is the k-th of two sorted runs: a binary
 * search, O(log w).  Windows that do not slide (an edge moving back) are
 * sorted anew.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

/* Deviation j (0-based, ascending) of the run below the median: the
 * points a[0 .. p-1] read backwards; and of the run above: a[p ..]. */
#define BELOW(j) (median - a[p - 1 - (j)])
#define ABOVE(j) (a[p + (j)] - median)

/* The k-th smallest (0-based) deviation from the median of the sorted
 * a[0 .. n-1], whose first p points are below the median: how many of
 * the k + 1 smallest come from below is found by bisection. */
static double kth_deviation(const double *a, Py_ssize_t n, Py_ssize_t p,
                            double median, Py_ssize_t k)
{
    Py_ssize_t lo = k + 1 - (n - p) > 0 ? k + 1 - (n - p) : 0;
    Py_ssize_t hi = k + 1 < p ? k + 1 : p;
    while (lo < hi) {  /* the least i with BELOW(i) >= ABOVE(k - i) */
        Py_ssize_t i = lo + (hi - lo) / 2;
        if (BELOW(i) < ABOVE(k - i))
            lo = i + 1;
        else
            hi = i;
    }
    /* lo from below and k + 1 - lo from above: the largest of them */
    double below = lo > 0 ? BELOW(lo - 1) : -1.0;
    double above = k - lo >= 0 ? ABOVE(k - lo) : -1.0;
    return below > above ? below : above;
}

/* The mean of two values as statistics.median and numpy take it, (a + b)
 * / 2, unless that overflows. */
static double halfway(double a, double b)
{
    double mean = (a + b) / 2;
    return isinf(mean) ? a / 2 + b / 2 : mean;
}

/* The median of sorted a[0 .. n-1] (n >= 1), as statistics.median. */
static double middle(const double *a, Py_ssize_t n)
{
    return n % 2 ? a[n / 2] : halfway(a[n / 2 - 1], a[n / 2]);
}

/* The MAD of the sorted a[0 .. n-1] about its median. */
static double mad_of_sorted(const double *a, Py_ssize_t n, double median)
{
    /* p: the points strictly below the median */
    Py_ssize_t p = 0, hi = n;
    while (p < hi) {
        Py_ssize_t i = p + (hi - p) / 2;
        if (a[i] < median)
            p = i + 1;
        else
            hi = i;
    }
    double upper = kth_deviation(a, n, p, median, n / 2);
    if (n % 2)
        return upper;
    return halfway(kth_deviation(a, n, p, median, n / 2 - 1), upper);
}

/* Where v goes in the sorted a[0 .. n-1]: the first entry >= v. */
static Py_ssize_t position(const double *a, Py_ssize_t n, double v)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t i = lo + (hi - lo) / 2;
        if (a[i] < v)
            lo = i + 1;
        else
            hi = i;
    }
    return lo;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

PyDoc_STRVAR(mad_doc,
"median_deviations(values, first, last, out_median, out_mad)\n"
"\n"
"For each window k, the values first[k] .. last[k] (inclusive), write the\n"
"median into out_median[k] and the median absolute deviation from it\n"
"into out_mad[k].  values float64 (no gaps); first, last int64 and the\n"
"outputs float64 of one length.  Releases the GIL.");

static PyObject *py_median_deviations(PyObject *self, PyObject *args)
{
    Py_buffer x, first, last, out_median, out_mad;
    double *scratch = NULL;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*", &x, &first, &last,
                          &out_median, &out_mad))
        return NULL;
    Py_ssize_t n = x.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t m = out_mad.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t widest = 0;
    if (x.len % sizeof(double) || first.len != last.len
        || first.len != out_mad.len || out_median.len != out_mad.len
        || out_mad.len % sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "buffers of mismatched lengths");
        goto done;
    }
    const long long *f = first.buf, *l = last.buf;
    for (Py_ssize_t k = 0; k < m; k++) {
        if (!(0 <= f[k] && f[k] <= l[k] && l[k] < n)) {
            PyErr_SetString(PyExc_ValueError, "window indices out of range");
            goto done;
        }
        if (l[k] - f[k] + 1 > widest) widest = l[k] - f[k] + 1;
    }
    scratch = PyMem_RawMalloc((size_t)(widest ? widest : 1) * sizeof(double));
    if (scratch == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const double *v = x.buf;
    double *med = out_median.buf, *mad = out_mad.buf;
    Py_ssize_t lo = 0, hi = -1, size = 0;  /* scratch: sorted v[lo .. hi] */
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < m; k++) {
        if (f[k] < lo || l[k] < hi || f[k] > hi) {
            lo = f[k];
            hi = l[k];
            size = hi - lo + 1;
            memcpy(scratch, v + lo, (size_t)size * sizeof(double));
            qsort(scratch, (size_t)size, sizeof(double), by_value);
        }
        /* out first: the scratch never holds more than a window */
        for (; lo < f[k]; lo++, size--) {
            Py_ssize_t at = position(scratch, size, v[lo]);
            memmove(scratch + at, scratch + at + 1,
                    (size_t)(size - at - 1) * sizeof(double));
        }
        for (; hi < l[k]; hi++, size++) {
            Py_ssize_t at = position(scratch, size, v[hi + 1]);
            memmove(scratch + at + 1, scratch + at,
                    (size_t)(size - at) * sizeof(double));
            scratch[at] = v[hi + 1];
        }
        med[k] = middle(scratch, size);
        mad[k] = mad_of_sorted(scratch, size, med[k]);
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_RawFree(scratch);
    PyBuffer_Release(&x);
    PyBuffer_Release(&first);
    PyBuffer_Release(&last);
    PyBuffer_Release(&out_median);
    PyBuffer_Release(&out_mad);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"median_deviations", py_median_deviations, METH_VARARGS, mad_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_robust",
    "Medians and median absolute deviations over windows.",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__robust(void)
{
    return PyModule_Create(&module);
}
