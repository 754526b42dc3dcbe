/*
 * Exponential smoothing recursions: PromQL's holt_winters over windows,
 * and additive Holt-Winters (level, trend, season) over a whole series.
 *
 * Both are sequential recurrences (each step needs the previous state),
 * which numpy cannot vectorise: a Python loop would cost ~1 us a point.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Prometheus' funcHoltWinters over values[f..l], operation for operation
 * (promql/functions.go), so that results agree to the last bit. */
static double holt_winters(const double *x, Py_ssize_t f, Py_ssize_t l,
                           double sf, double tf)
{
    double s0 = 0, s1 = x[f], b = x[f + 1] - x[f];
    for (Py_ssize_t i = f + 1; i <= l; i++) {
        double scaled = sf * x[i];
        if (i - 1 > f)  /* calcTrendValue(i-1): the first step keeps b */
            b = tf * (s1 - s0) + (1 - tf) * b;
        double smoothed = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = scaled + smoothed;
    }
    return s1;
}

PyDoc_STRVAR(holt_winters_doc,
"holt_winters(values, first, last, sf, tf, out)\n"
"\n"
"For each window k, the values first[k] .. last[k] (inclusive, at least\n"
"2), write PromQL's holt_winters(sf, tf) into out[k].  values float64 (no\n"
"gaps); first, last int64 and out float64 of one length.  Releases the\n"
"GIL.");

static PyObject *py_holt_winters(PyObject *self, PyObject *args)
{
    Py_buffer x, first, last, out;
    double sf, tf;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*ddw*", &x, &first, &last, &sf, &tf,
                          &out))
        return NULL;
    Py_ssize_t n = x.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t m = out.len / (Py_ssize_t)sizeof(double);
    if (x.len % sizeof(double) || first.len != last.len
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
            double *o = out.buf;
            Py_BEGIN_ALLOW_THREADS
            for (Py_ssize_t k = 0; k < m; k++)
                o[k] = holt_winters(x.buf, f[k], l[k], sf, tf);
            Py_END_ALLOW_THREADS
        }
    }
    PyBuffer_Release(&x);
    PyBuffer_Release(&first);
    PyBuffer_Release(&last);
    PyBuffer_Release(&out);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* Additive Holt-Winters in statsmodels' operation order
 * (holtwinters/model.py, seasonal "add"); ring[j % m] is the seasonal
 * component that point j uses, replaced by the one point j + m will use.
 * Returns the sum of squared one-step-ahead errors. */
static double additive(const double *x, Py_ssize_t n, Py_ssize_t m,
                       double alpha, double beta, double gamma, double *level,
                       double *trend, double *ring)
{
    double l = *level, b = *trend, sse = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        double *s = ring + j % m, ahead = l + b, error = x[j] - (ahead + *s);
        double next = alpha * x[j] - alpha * *s + (1 - alpha) * ahead;
        b = beta * (next - l) + (1 - beta) * b;
        *s = gamma * x[j] - gamma * ahead + (1 - gamma) * *s;
        l = next;
        sse += error * error;
    }
    *level = l;
    *trend = b;
    return sse;
}

PyDoc_STRVAR(additive_doc,
"additive(values, alpha, beta, gamma, state) -> sse\n"
"\n"
"Run additive Holt-Winters over values (float64, no gaps) from state, a\n"
"float64 buffer [level, trend, s_0 .. s_{m-1}] (m = len(state) - 2 >= 1,\n"
"s_j the seasonal component of values[j]), left as the final state: the\n"
"seasonal component of the point j after the last is s_{j % m}.  Returns\n"
"the sum of squared one-step-ahead errors.  Releases the GIL.");

static PyObject *py_additive(PyObject *self, PyObject *args)
{
    Py_buffer x, state;
    double alpha, beta, gamma, sse = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*dddw*", &x, &alpha, &beta, &gamma,
                          &state))
        return NULL;
    Py_ssize_t n = x.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t m = state.len / (Py_ssize_t)sizeof(double) - 2;
    if (x.len % sizeof(double) || state.len % sizeof(double) || m < 1) {
        PyErr_SetString(PyExc_ValueError, "bad buffer lengths");
    } else {
        double *s = state.buf;
        Py_BEGIN_ALLOW_THREADS
        sse = additive(x.buf, n, m, alpha, beta, gamma, s, s + 1, s + 2);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&x);
    PyBuffer_Release(&state);
    if (PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(sse);
}

static PyMethodDef methods[] = {
    {"holt_winters", py_holt_winters, METH_VARARGS, holt_winters_doc},
    {"additive", py_additive, METH_VARARGS, additive_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_smoothing",
    "Exponential smoothing recursions, for statsvc_plugins.",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__smoothing(void)
{
    return PyModule_Create(&module);
}
