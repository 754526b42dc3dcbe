/*
 * Least-squares lines through the points of given windows, as PromQL's
 * deriv and predict_linear fit them.
 *
 * Windows of up to SHORT points on average: exact two-pass per window
 * (O(points in the window) each).  Longer ones: sliding sums, O(1) per
 * window, kept exact enough that cancellation cannot show.  A sliding
 * update of floating sums of t, t**2 and t*x loses to cancellation what
 * the window's time offset squares (t is ~1.7e18 ns), so the time sums
 * are integers (nanoseconds from an origin that restarts every block,
 * squares summed in 128 bits: exact), and the sums of x and t*x are
 * double-doubles (about 106 bits) with exact products (Dekker's).  The
 * slope's numerator n Stx - St Sx, where the cancellation is, is formed
 * in double-double too.
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

/* Mean window length in points above which the sums slide. */
#define SHORT 32
/* Windows per block: the time origin and the sums restart from exact. */
#define BLOCK 16384

typedef struct { double hi, lo; } dd;  /* hi + lo, |lo| <= ulp(hi) / 2 */

static inline dd quick_two_sum(double a, double b)  /* |a| >= |b| */
{
    double s = a + b;
    return (dd){s, b - (s - a)};
}

static inline dd two_sum(double a, double b)
{
    double s = a + b, bb = s - a;
    return (dd){s, (a - (s - bb)) + (b - bb)};
}

static inline dd dd_add(dd a, dd b)
{
    dd s = two_sum(a.hi, b.hi);
    return quick_two_sum(s.hi, s.lo + (a.lo + b.lo));
}

/* Veltkamp's split: a == *h + *l, each of 26 significant bits at most. */
static inline void split(double a, double *h, double *l)
{
    double c = 134217729.0 * a;  /* 2**27 + 1 */
    *h = c - (c - a);
    *l = a - *h;
}

/* Dekker's exact product (no FMA is assumed: the build has no -march). */
static inline dd two_prod(double a, double b)
{
    double p = a * b, ah, al, bh, bl;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    return (dd){p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

static inline dd dd_mul(dd a, dd b)
{
    dd p = two_prod(a.hi, b.hi);
    return quick_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

static inline dd from_int(__int128 v)
{
    double hi = (double)v;
    return (dd){hi, (double)(v - (__int128)hi)};
}

/* The sums of a window's points, times as ns from an origin. */
typedef struct {
    long long origin;
    Py_ssize_t n;
    __int128 st, stt;
    dd sx, stx;
} sums;

static inline void slide(sums *w, const long long *t, const double *x,
                         Py_ssize_t j, int sign)
{
    long long u = t[j] - w->origin;
    w->n += sign;
    w->st += sign * (__int128)u;
    w->stt += sign * (__int128)u * u;
    w->sx = dd_add(w->sx, (dd){sign * x[j], 0});
    w->stx = dd_add(w->stx, two_prod(sign * (double)u, x[j]));
}

/* Largest |value| whose products and squares stay finite in two_prod. */
#define HUGE_VALUE 0x1p450
/* Largest time from the origin: exact as a double, and n * t**2 summed
 * over a window fits in 127 bits while n * t < 2**62. */
#define FAR (1LL << 52)

/* The window f..l from its sums: slope per second, or the line's value
 * horizon seconds after t[l]. */
static double from_sums(const sums *w, const long long *t, Py_ssize_t l,
                        double horizon)
{
    double n = (double)w->n;
    __int128 d = (__int128)w->n * w->stt - w->st * w->st;
    dd a = dd_mul(w->stx, (dd){n, 0});
    dd b = dd_mul(from_int(w->st), w->sx);
    dd num = dd_add(a, (dd){-b.hi, -b.lo});
    double per_ns = (num.hi + num.lo) / (double)d;
    if (isnan(horizon))
        return per_ns * 1e9;
    /* mean x + slope * (t[l] + horizon - mean t) */
    double ahead = (double)((__int128)w->n * (t[l] - w->origin) - w->st) / n
                   + horizon * 1e9;
    return (w->sx.hi + w->sx.lo) / n + per_ns * ahead;
}

/* The sliding fit of windows first[k] .. last[k], both non-decreasing
 * in k (else a window is fitted two-pass); a window of equal values has
 * slope 0 and its value, as in PromQL. */
static int slide_lines(const long long *t, const double *x,
                       const long long *first, const long long *last,
                       Py_ssize_t m, double horizon, Py_ssize_t budget,
                       double *out)
{
    Py_ssize_t spent = 0;  /* points added, removed or fitted two-pass */
    sums w = {0};
    Py_ssize_t f = 0, l = -1, since = BLOCK, run = 0, widest = 1;
    for (Py_ssize_t k = 0; k < m; k++)
        if (last[k] - first[k] + 1 > widest)
            widest = last[k] - first[k] + 1;
    long long far = FAR < (1LL << 62) / widest ? FAR : (1LL << 62) / widest;
    for (Py_ssize_t k = 0; k < m; k++) {
        double slope, at_end;
        int fresh = since >= BLOCK || first[k] < f || last[k] < l
                    || t[last[k]] - w.origin >= far;
        if (fresh) {
            /* restart: the origin at this window's first point */
            w = (sums){t[first[k]], 0, 0, 0, {0, 0}, {0, 0}};
            f = first[k];
            l = f - 1;
            since = 0;
            run = 0;
        }
        for (; l < last[k]; l++) {
            if (fabs(x[l + 1]) > HUGE_VALUE)
                since = BLOCK;  /* too large to slide: no sums kept */
            /* equal values ending at l + 1, counted from f */
            run = run && x[l + 1] == x[l] ? run + 1 : 1;
            slide(&w, t, x, l + 1, 1);
            spent++;
        }
        for (; f < first[k]; f++, spent++)
            slide(&w, t, x, f, -1);
        since++;
        if (run >= w.n) {
            out[k] = x[last[k]];
            if (isnan(horizon))
                out[k] = 0;
        } else if (since > BLOCK || t[last[k]] - w.origin >= far) {
            /* huge values, or a window too long for exact sums */
            fit(t, x, first[k], last[k], &slope, &at_end);
            out[k] = isnan(horizon) ? slope : at_end + slope * horizon;
            since = BLOCK;
            spent += last[k] - first[k] + 1;
        } else {
            out[k] = from_sums(&w, t, last[k], horizon);
        }
        if (spent > budget)
            return 0;
    }
    return 1;
}

PyDoc_STRVAR(fit_lines_doc,
"fit_lines(timestamps, values, first, last, horizon, budget, out) -> bool\n"
"\n"
"For each window k, the points first[k] .. last[k] (inclusive, at least\n"
"2, distinct timestamps), write into out[k] the least-squares slope per\n"
"second (horizon NaN) or the line's value ``horizon`` seconds after\n"
"timestamps[last[k]].  timestamps int64 ns and values float64 (no gaps)\n"
"of one length; first, last (int64) and out (float64) of another.\n"
"Indices are not checked beyond their range.  Return False, out then\n"
"unfinished, once more than ``budget`` points would be visited (all the\n"
"windows' points when they are short; else the points slid in and out\n"
"and those of windows fitted two-pass).  Releases the GIL.");

static PyObject *py_fit_lines(PyObject *self, PyObject *args)
{
    Py_buffer t, x, first, last, out;
    double horizon;
    Py_ssize_t budget;
    int done = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*y*dnw*", &t, &x, &first, &last,
                          &horizon, &budget, &out))
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
            Py_ssize_t work = 0;
            for (Py_ssize_t k = 0; k < m; k++)
                work += l[k] - f[k] + 1;
            Py_BEGIN_ALLOW_THREADS
            if (work > SHORT * m) {
                done = slide_lines(t.buf, x.buf, f, l, m, horizon, budget,
                                   o);
            } else if (work <= budget) {
                done = 1;
                for (Py_ssize_t k = 0; k < m; k++) {
                    fit(t.buf, x.buf, f[k], l[k], &slope, &at_end);
                    o[k] = isnan(horizon) ? slope
                                          : at_end + slope * horizon;
                }
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
    return PyBool_FromLong(done);
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
