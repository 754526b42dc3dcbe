/*
 * Median absolute deviation of each window, for the robust outlier flag.
 *
 * The MAD is a median of deviations from the window's own median, so no
 * sliding structure carries from one window to the next: each window is
 * copied and selected twice (Wirth's selection, O(w) on average), which
 * for windows of tens to hundreds of points beats any sorting.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

/* Rearrange a[0..n-1] so that a[k] is the k-th smallest, those before it
 * no larger and those after no smaller (Wirth, Algorithms + Data
 * Structures = Programs, 1976). */
static void select_kth(double *a, Py_ssize_t n, Py_ssize_t k)
{
    Py_ssize_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[k];
        Py_ssize_t i = lo, j = hi;
        do {
            while (a[i] < pivot) i++;
            while (pivot < a[j]) j--;
            if (i <= j) {
                double swap = a[i];
                a[i] = a[j];
                a[j] = swap;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k) lo = i;
        if (k < i) hi = j;
    }
}

/* The median of a[0..n-1] (n >= 1), reordering a: the mean of the two
 * middle values for an even n, as statistics.median. */
static double median(double *a, Py_ssize_t n)
{
    Py_ssize_t k = n / 2;
    select_kth(a, n, k);
    if (n % 2)
        return a[k];
    double below = a[0];
    for (Py_ssize_t i = 1; i < k; i++)
        if (a[i] > below) below = a[i];
    return below + (a[k] - below) / 2;
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
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t w = l[k] - f[k] + 1;
        memcpy(scratch, v + f[k], (size_t)w * sizeof(double));
        med[k] = median(scratch, w);
        for (Py_ssize_t i = 0; i < w; i++)
            scratch[i] = fabs(scratch[i] - med[k]);
        mad[k] = median(scratch, w);
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
