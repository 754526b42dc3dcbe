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

typedef struct {
    double value;
    Py_ssize_t slot;
} entry;

/* A min-heap; its entries' indices are kept in where[slot & mask] - offset
 * (mask is all ones for count windows, whose slots are below w). */
typedef struct {
    entry *entries;
    Py_ssize_t size, offset, mask;
} heap;

static inline void put(heap *h, Py_ssize_t *where, Py_ssize_t i, entry e)
{
    h->entries[i] = e;
    where[e.slot & h->mask] = i + h->offset;
}

/* Move entry i up or down to its place. */
static void sift(heap *h, Py_ssize_t *where, Py_ssize_t i)
{
    entry *a = h->entries, e = a[i];
    while (i > 0 && a[(i - 1) / 2].value > e.value) {
        put(h, where, i, a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        Py_ssize_t child = 2 * i + 1;
        if (child >= h->size)
            break;
        if (child + 1 < h->size && a[child + 1].value < a[child].value)
            child++;
        if (!(a[child].value < e.value))
            break;
        put(h, where, i, a[child]);
        i = child;
    }
    put(h, where, i, e);
}

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

/*
 * Duration windows, (t - window, t]: the same two heaps, but a step may
 * remove several points (each heap entry's removal: the heap's last entry
 * takes its place) and the rank k follows the window's size, so the tops
 * move across until lo holds k + 1 entries; k changes by at most the
 * points added and removed, so that is O(1) moves per step, amortised.
 * A slot is a finite point's ordinal: the window's points are consecutive
 * ordinals, so ordinal & mask tells them apart in a power-of-two `where`
 * that doubles (with the heaps) when the window outgrows it.  Gaps (NaN,
 * +-inf) are skipped.
 */
#define IN_HI (PY_SSIZE_T_MAX / 2)  /* where[] >= IN_HI: in hi */

typedef struct {
    heap lo, hi;
    Py_ssize_t *where, capacity;
} heaps;

static int grow(heaps *h)
{
    Py_ssize_t capacity = h->capacity ? 2 * h->capacity : 64;
    entry *lo = realloc(h->lo.entries, capacity * sizeof(entry));
    if (lo != NULL)
        h->lo.entries = lo;
    entry *hi = realloc(h->hi.entries, capacity * sizeof(entry));
    if (hi != NULL)
        h->hi.entries = hi;
    Py_ssize_t *where = realloc(h->where, capacity * sizeof(Py_ssize_t));
    if (where != NULL)
        h->where = where;
    if (lo == NULL || hi == NULL || where == NULL)
        return -1;
    h->capacity = capacity;
    h->lo.mask = h->hi.mask = capacity - 1;
    for (Py_ssize_t i = 0; i < h->lo.size; i++)
        put(&h->lo, h->where, i, h->lo.entries[i]);
    for (Py_ssize_t i = 0; i < h->hi.size; i++)
        put(&h->hi, h->where, i, h->hi.entries[i]);
    return 0;
}

static void push(heap *h, Py_ssize_t *where, entry e)
{
    put(h, where, h->size++, e);
    sift(h, where, h->size - 1);
}

static void take(heap *h, Py_ssize_t *where, Py_ssize_t i)
{
    if (i < --h->size) {
        put(h, where, i, h->entries[h->size]);
        sift(h, where, i);
    }
}

/* Move the top of `from` to `to`, negated (lo holds negated values). */
static void cross(heap *from, heap *to, Py_ssize_t *where)
{
    entry top = from->entries[0];
    take(from, where, 0);
    push(to, where, (entry){-top.value, top.slot});
}

/* Fill out_t, out for the finite points whose window holds at least
 * min_points points; return how many, or -1 if out of memory. */
static Py_ssize_t time_quantile(const long long *t, const double *x,
                                Py_ssize_t n, unsigned long long window,
                                double quantile, Py_ssize_t min_points,
                                long long *out_t, double *out)
{
    heaps h = {{NULL, 0, 0, 0}, {NULL, 0, IN_HI, 0}, NULL, 0};
    Py_ssize_t left = 0, gone = 0, added = 0, written = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        /* Unsigned: no overflow, and never past i since window > 0. */
        for (; (unsigned long long)t[i] - (unsigned long long)t[left]
               >= window; left++) {
            if (!isfinite(x[left]))
                continue;
            Py_ssize_t at = h.where[gone++ & h.lo.mask];
            if (at < IN_HI)
                take(&h.lo, h.where, at);
            else
                take(&h.hi, h.where, at - IN_HI);
        }
        if (h.lo.size + h.hi.size == h.capacity && grow(&h) < 0) {
            written = -1;
            break;
        }
        if (h.lo.size && x[i] <= -h.lo.entries[0].value)
            push(&h.lo, h.where, (entry){-x[i], added++});
        else
            push(&h.hi, h.where, (entry){x[i], added++});
        Py_ssize_t size = h.lo.size + h.hi.size;
        double rank = quantile * (double)(size - 1);
        Py_ssize_t k = (Py_ssize_t)rank;
        while (h.lo.size > k + 1)
            cross(&h.lo, &h.hi, h.where);
        while (h.lo.size < k + 1)
            cross(&h.hi, &h.lo, h.where);
        if (size >= min_points) {
            double low = -h.lo.entries[0].value, fraction = rank - (double)k;
            out_t[written] = t[i];
            out[written++] = fraction == 0 ? low
                : low + fraction * (h.hi.entries[0].value - low);
        }
    }
    free(h.lo.entries);
    free(h.hi.entries);
    free(h.where);
    return written;
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

PyDoc_STRVAR(move_quantile_time_doc,
"move_quantile_time(timestamps, values, window, quantile, min_points,\n"
"                   out_timestamps, out) -> int\n"
"\n"
"For each finite value, ``s[k] + (h - k) * (s[k + 1] - s[k])``, ``s`` the\n"
"finite values whose timestamps are in ``(t - window, t]`` sorted, ``t``\n"
"its own, ``h = quantile * (len(s) - 1)``, ``k = floor(h)``, if there\n"
"are at least ``min_points`` of them: written with ``t`` into\n"
"``out_timestamps`` and ``out`` in order; return how many.\n"
"``timestamps`` (int64 ns, ascending) and ``values`` (float64) are\n"
"C-contiguous buffers of one length, the outputs writable ones as long,\n"
"``window`` > 0 ns, ``0 <= quantile <= 1``.  Releases the GIL.");

static PyObject *py_move_quantile_time(PyObject *self, PyObject *args)
{
    Py_buffer t, values, out_t, out;
    long long window;
    double quantile;
    Py_ssize_t min_points, written = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Ldnw*w*", &t, &values, &window,
                          &quantile, &min_points, &out_t, &out))
        return NULL;
    Py_ssize_t n = values.len / (Py_ssize_t)sizeof(double);
    if (values.len % sizeof(double) || t.len != values.len
        || out_t.len != values.len || out.len != values.len) {
        PyErr_SetString(PyExc_ValueError,
                        "buffers must hold as many int64 or float64");
    } else if (window < 1 || min_points < 1
               || !(quantile >= 0 && quantile <= 1)) {
        PyErr_SetString(PyExc_ValueError,
                        "window, min_points or quantile out of range");
    } else {
        Py_BEGIN_ALLOW_THREADS
        written = time_quantile(t.buf, values.buf, n, window, quantile,
                                min_points, out_t.buf, out.buf);
        Py_END_ALLOW_THREADS
        if (written < 0)
            PyErr_NoMemory();
    }
    PyBuffer_Release(&t);
    PyBuffer_Release(&values);
    PyBuffer_Release(&out_t);
    PyBuffer_Release(&out);
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromSsize_t(written);
}

static PyMethodDef methods[] = {
    {"move_quantile", py_move_quantile, METH_VARARGS, move_quantile_doc},
    {"move_quantile_time", py_move_quantile_time, METH_VARARGS,
     move_quantile_time_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_quantile",
    "Moving quantile (two heaps), of count and duration windows.",
    -1, methods
};

PyMODINIT_FUNC PyInit__quantile(void)
{
    return PyModule_Create(&module);
}
