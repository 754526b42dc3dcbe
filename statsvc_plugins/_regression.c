/*
 * Least-squares lines through the points of given windows, as PromQL's
 * deriv and predict_linear fit them.
 *
 * Exact two-pass per window (O(points in the window) each): a sliding
 * update of the sums of t, t**2 and t*x loses to cancellation what the
 * window's time offset squares (t is ~1.7e18 ns), and centring per block
 * only moves the problem to windows much narrower than their block.
 * Windows of a few dozen points, PromQL's usual case, cost little; the
 * caller bounds the total work.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* slope (per second) and value at t[l] of the line through the points
 * f..l; a constant window has slope 0 and its value, as in PromQL. */
static void fit(const long long *t, const double *x, Py_ssize_t f,
                Py_ssize_t l, double *slope, double *at_end)
{
    double n = (double)(l - f + 1), su = 0, sx = 0;
    int constant = 1;
    for (Py_ssize_t j = f; j <= l; j++) {
        /* seconds before t[l]: an exact int64 difference, then scaled */
        su += (double)(t[j] - t[l]) * 1e-9;
        sx += x[j];
        constant &= x[j] == x[f];
    }
    if (constant) {
        *slope = 0;
        *at_end = x[f];
        return;
    }
    double mu = su / n, mx = sx / n, suu = 0, sux = 0;
    for (Py_ssize_t j = f; j <= l; j++) {
        double du = (double)(t[j] - t[l]) * 1e-9 - mu;
        suu += du * du;
        sux += du * (x[j] - mx);
    }
    *slope = sux / suu;
    *at_end = mx - *slope * mu;
}

PyDoc_STRVAR(fit_lines_doc,
"fit_lines(timestamps, values, first, last, horizon, out)\n"
"\n"
"For each window k, the points first[k] .. last[k] (inclusive, at least\n"
"2, distinct timestamps), write into out[k] the least-squares slope per\n"
"second (horizon NaN) or the line's value ``horizon`` seconds after\n"
"timestamps[last[k]].  timestamps int64 ns and values float64 (no gaps)\n"
"of one length; first, last (int64) and out (float64) of another.\n"
"Indices are not checked beyond their range.  Releases the GIL.");

static PyObject *py_fit_lines(PyObject *self, PyObject *args)
{
    Py_buffer t, x, first, last, out;
    double horizon;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*y*dw*", &t, &x, &first, &last,
                          &horizon, &out))
        return NULL;
    Py_ssize_t n = x.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t m = out.len / (Py_ssize_t)sizeof(double);
    if (t.len != x.len || x.len % sizeof(double) || first.len != last.len
        || first.len != out.len || out.len % sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "buffers of mismatched lengths");
    } else {
        const long long *f = first.buf, *l = last.buf;
        int ok = 1;
        for (Py_ssize_t k = 0; k < m && ok; k++)
            ok = 0 <= f[k] && f[k] < l[k] && l[k] < n;
        if (!ok) {
            PyErr_SetString(PyExc_ValueError, "window indices out of range");
        } else {
            double *o = out.buf, slope, at_end;
            Py_BEGIN_ALLOW_THREADS
            for (Py_ssize_t k = 0; k < m; k++) {
                fit(t.buf, x.buf, f[k], l[k], &slope, &at_end);
                o[k] = isnan(horizon) ? slope : at_end + slope * horizon;
            }
            Py_END_ALLOW_THREADS
        }
    }
    PyBuffer_Release(&t);
    PyBuffer_Release(&x);
    PyBuffer_Release(&first);
    PyBuffer_Release(&last);
    PyBuffer_Release(&out);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fit_lines", py_fit_lines, METH_VARARGS, fit_lines_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_regression",
    "Least-squares lines over windows, for statsvc_plugins.",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__regression(void)
{
    return PyModule_Create(&module);
}
