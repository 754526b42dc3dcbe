/*
 * Moving quantile of a float64 series in one O(n log w) pass.
 *
 * No library offers this: bottleneck has a moving median only, pandas'
 * skip list is 4-8x slower, and scipy.ndimage.rank_filter gives one rank
 * per pass (linear interpolation needs two: 3.3-4x pandas, not better).
 *
 * Two heaps split each window: a max-heap `lo` of its k + 1 smallest values
 * (a min-heap of their negations) and a min-heap `hi` of the rest, so lo's
 * top is the k-th smallest (0-based) and hi's top the (k + 1)-th.  Sliding
 * by one point overwrites the leaving point's heap entry with the arriving
 * one, restores that heap, then swaps the two tops if they cross: O(log w)
 * per point.  `where` maps each slot of the window (point index modulo w)
 * to its entry, which is how the leaving point is found.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

#include "_heaps.h"

/* A total order, NaN last: qsort must not see an inconsistent one. */
static int by_value(const void *a, const void *b)
{
    double x = ((const entry *)a)->value, y = ((const entry *)b)->value;
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    return isnan(x) - isnan(y);
}

/* Fill out[0 .. n - w] from x[0 .. n - 1]; 0 on success, -1 if out of memory. */
static int move_quantile(const double *x, Py_ssize_t n, Py_ssize_t w,
                         Py_ssize_t k, double fraction, double *out)
{
    entry *entries = malloc(w * sizeof(entry));
    Py_ssize_t *where = malloc(w * sizeof(Py_ssize_t));
    if (entries == NULL || where == NULL) {
        free(entries);
        free(where);
        return -1;
    }
    /* First window sorted: its k + 1 smallest, negated and so reversed,
     * are a valid min-heap of negated values (the max-heap lo), the rest,
     * ascending, a valid min-heap (hi).  where[slot] < w points into lo. */
    for (Py_ssize_t i = 0; i < w; i++) {
        entries[i].value = x[i];
        entries[i].slot = i;
    }
    qsort(entries, w, sizeof(entry), by_value);
    heap lo = {entries, k + 1, 0, -1}, hi = {entries + k + 1, w - k - 1, w, -1};
    for (Py_ssize_t i = 0, j = lo.size - 1; i <= j; i++, j--) {
        entry tmp = lo.entries[i];
        lo.entries[i] = lo.entries[j];
        lo.entries[j] = tmp;
        lo.entries[i].value = -lo.entries[i].value;
        if (i != j)
            lo.entries[j].value = -lo.entries[j].value;
    }
    for (Py_ssize_t i = 0; i < lo.size; i++)
        where[lo.entries[i].slot] = i;
    for (Py_ssize_t i = 0; i < hi.size; i++)
        where[hi.entries[i].slot] = i + w;

    Py_ssize_t slot = 0;  /* the slot of the point about to leave */
    for (Py_ssize_t i = w;; i++) {
        double low = -lo.entries[0].value;
        out[i - w] = fraction == 0 ? low
                     : low + fraction * (hi.entries[0].value - low);
        if (i == n)
            break;
        Py_ssize_t at = where[slot];
        if (at < w) {
            lo.entries[at] = (entry){-x[i], slot};
            sift(&lo, where, at);
        } else {
            hi.entries[at - w] = (entry){x[i], slot};
            sift(&hi, where, at - w);
        }
        if (hi.size && -lo.entries[0].value > hi.entries[0].value) {
            entry top = lo.entries[0];
            put(&lo, where, 0, (entry){-hi.entries[0].value, hi.entries[0].slot});
            put(&hi, where, 0, (entry){-top.value, top.slot});
            sift(&lo, where, 0);
            sift(&hi, where, 0);
        }
        if (++slot == w)
            slot = 0;
    }
    free(entries);
    free(where);
    return 0;
}

PyDoc_STRVAR(move_quantile_doc,
"move_quantile(values, window, k, fraction, out)\n"
"\n"
"Write ``s[k] + fraction * (s[k + 1] - s[k])`` of each full window of\n"
"``values`` into ``out``, ``s`` the window sorted: ``values`` is a\n"
"C-contiguous float64 buffer (NaN give meaningless results, safely),\n"
"``out`` a writable one of\n"
"``len(values) - window + 1`` float64, ``0 <= k < window <= len(values)``\n"
"and ``k + 1 < window`` unless ``fraction`` is 0.  Releases the GIL.");

static PyObject *py_move_quantile(PyObject *self, PyObject *args)
{
    Py_buffer values, out;
    Py_ssize_t window, k;
    double fraction;
    int failed = 0;

    if (!PyArg_ParseTuple(args, "y*nndw*", &values, &window, &k, &fraction,
                          &out))
        return NULL;
    Py_ssize_t n = values.len / (Py_ssize_t)sizeof(double);
    if (values.len % sizeof(double) || out.len % sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "buffers must hold float64");
    } else if (window < 1 || window > n || k < 0 || k >= window
               || (fraction != 0 && k + 1 >= window)
               || !(fraction >= 0 && fraction < 1)) {
        PyErr_SetString(PyExc_ValueError, "window, k or fraction out of range");
    } else if (out.len / (Py_ssize_t)sizeof(double) != n - window + 1) {
        PyErr_SetString(PyExc_ValueError, "out must hold len(values) - window + 1");
    } else {
        Py_BEGIN_ALLOW_THREADS
        failed = move_quantile(values.buf, n, window, k, fraction, out.buf);
        Py_END_ALLOW_THREADS
        if (failed)
            PyErr_NoMemory();
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&out);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"move_quantile", py_move_quantile, METH_VARARGS, move_quantile_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_quantile",
    "Moving quantile of count windows (two heaps), in one pass.",
    -1, methods
};

PyMODINIT_FUNC PyInit__quantile(void)
{
    return PyModule_Create(&module);
}
