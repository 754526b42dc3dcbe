/*
 * Duration-window median and percentile: the ``fraction`` quantile of the
 * valid points of (t - window, t] for each valid point's timestamp t,
 * linearly interpolated as numpy.percentile and pandas' rolling quantile.
 * The points come block by block from the feed (_feed.h).  Windows of a
 * few dozen points on average are kept sorted; longer ones in two heaps
 * (_heaps.h), O(log w) a point.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "_feed.h"
#include "_heaps.h"

/* Windows of up to SMALL points: ranks by counting (independent
 * comparisons, where a binary search's depend on each other) and shifts
 * of SMALL slots whatever the count (a copy of constant size is a few
 * vector moves, where the library's costs a call and a branch on the
 * size: a quarter of the time). */
#define SMALL 64

/* Windows of SHORT points or fewer on average are kept sorted (below
 * that, faster than two heaps: 0.57x at 10, 0.65x at 40, 0.9x at 60). */
#define SHORT 48

/* The first index in s[0 .. n - 1] (sorted) whose value is not below v
 * (`after`: not below nor equal): by counting, or by halving without a
 * branch. */
static inline Py_ssize_t rank_of(const double *s, Py_ssize_t n, double v,
                                 int after)
{
    if (n <= SMALL) {
        Py_ssize_t below = 0;
        for (Py_ssize_t i = 0; i < n; i++)
            below += after ? s[i] <= v : s[i] < v;
        return below;
    }
    const double *base = s;
    while (n > 1) {
        Py_ssize_t half = n / 2;
        base = (after ? base[half - 1] <= v : base[half - 1] < v)
            ? base + half : base;
        n -= half;
    }
    return (base - s) + (n == 1 && (after ? *base <= v : *base < v));
}

/* Take s[at] out of the count sorted values of s. */
static inline void take_out(double *s, Py_ssize_t count, Py_ssize_t at)
{
    if (count <= SMALL)
        memmove(s + at, s + at + 1, SMALL * sizeof(double));
    else
        memmove(s + at, s + at + 1, (count - at - 1) * sizeof(double));
}

/* Put y in at s[at], among the count sorted values of s. */
static inline void put_in(double *s, Py_ssize_t count, Py_ssize_t at,
                          double y)
{
    if (count <= SMALL)
        memmove(s + at + 1, s + at, SMALL * sizeof(double));
    else
        memmove(s + at + 1, s + at, (count - at) * sizeof(double));
    s[at] = y;
}

/* The `fraction` quantile of the windows of the points of finite values,
 * gathered into tv, their results into out; the number of points, or -1
 * if out of memory.  The window's values are kept sorted: a point in or
 * out is a rank and a shift. */
static Py_ssize_t sorted_quantiles(const long long *t, const double *x,
                                   Py_ssize_t n, long long window,
                                   double fraction, long long *tv,
                                   double *out)
{
    /* Room for a shift of SMALL slots from any of the first SMALL. */
    Py_ssize_t capacity = 2 * SMALL + 2, count = 0, left = 0;
    double *s = calloc(capacity, sizeof(double));
    feed f;
    int more = feed_open(&f, t, x, n, tv, 1) < 0 || s == NULL ? -1
               : feed_next(&f, window);
    while (more > 0) {
        const double *v = f.values;
        Py_ssize_t base = f.base;
        for (Py_ssize_t k = f.start; k < f.stop; k++) {
            Py_ssize_t l = f.lefts[k - f.start];
            for (; left < l; left++, count--)
                take_out(s, count, rank_of(s, count, v[left - base], 0));
            if (count + 1 > capacity) {
                double *grown = realloc(s, 2 * capacity * sizeof(double));
                if (grown == NULL) {
                    more = -1;
                    break;
                }
                s = grown;
                capacity *= 2;
            }
            double y = v[k - base];
            put_in(s, count, rank_of(s, count, y, 1), y);
            count++;
            double rank = fraction * (double)(count - 1);
            Py_ssize_t i = (Py_ssize_t)rank;
            double low = s[i], part = rank - (double)i;
            out[k] = part == 0 ? low : low + part * (s[i + 1] - low);
        }
        if (more > 0)
            more = feed_next(&f, window);
    }
    Py_ssize_t nv = more < 0 ? -1 : f.stop;
    feed_close(&f);
    free(s);
    return nv;
}

/*
 * Long windows: two heaps, a max-heap lo (of negated values) of the
 * window's k + 1 smallest values and a min-heap hi of the rest, k the
 * rank below the quantile, which follows the window's size: the tops move
 * across until lo holds k + 1 entries, O(1) moves per point, amortised.
 * A point's slot is its ordinal among the finite points: a window's are
 * consecutive, so ordinal & mask tells them apart in a power-of-two
 * `where` that doubles (with the heaps) when the window outgrows it.
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
    sink(h, where, h->size - 1);
}

static void take(heap *h, Py_ssize_t *where, Py_ssize_t i)
{
    if (i < --h->size) {
        put(h, where, i, h->entries[h->size]);
        sink(h, where, i);
    }
}

/* Move the top of `from` to `to`, negated (lo holds negated values). */
static void cross(heap *from, heap *to, Py_ssize_t *where)
{
    entry top = from->entries[0];
    take(from, where, 0);
    push(to, where, (entry){-top.value, top.slot});
}

/* Put y, the value of point k, in lo or hi, lo to hold i + 1 values.
 * Where lo must grow, its new member is y or hi's top; where it must not,
 * hi's is y or lo's top: either way a top is replaced rather than moved
 * across after y (one sift less). */
static void place(heaps *h, double y, Py_ssize_t k, Py_ssize_t i)
{
    heap *lo = &h->lo, *hi = &h->hi;
    if (lo->size < i + 1) {
        if (hi->size == 0 || y <= hi->entries[0].value)
            push(lo, h->where, (entry){-y, k});
        else {
            entry top = hi->entries[0];
            put(hi, h->where, 0, (entry){y, k});
            sink(hi, h->where, 0);
            push(lo, h->where, (entry){-top.value, top.slot});
        }
    } else if (lo->size && y < -lo->entries[0].value) {
        entry top = lo->entries[0];
        put(lo, h->where, 0, (entry){-y, k});
        sink(lo, h->where, 0);
        push(hi, h->where, (entry){-top.value, top.slot});
    } else
        push(hi, h->where, (entry){y, k});
}

/* Take the point of `slot` out of its heap. */
static void take_slot(heaps *h, Py_ssize_t slot)
{
    Py_ssize_t at = h->where[slot & h->lo.mask];
    if (at < IN_HI)
        take(&h->lo, h->where, at);
    else
        take(&h->hi, h->where, at - IN_HI);
}

/* The `fraction` quantile of the windows of the points of finite values
 * by two heaps (O(log w) a point), as sorted_quantiles(). */
static Py_ssize_t heap_quantiles(const long long *t, const double *x,
                                 Py_ssize_t n, long long window,
                                 double fraction, long long *tv,
                                 double *out)
{
    heaps h = {{NULL, 0, 0, 0}, {NULL, 0, IN_HI, 0}, NULL, 0};
    Py_ssize_t left = 0;
    feed f;
    int more = feed_open(&f, t, x, n, tv, 1) < 0 ? -1
               : feed_next(&f, window);
    while (more > 0) {
        const double *v = f.values;
        Py_ssize_t base = f.base;
        for (Py_ssize_t k = f.start; k < f.stop; k++) {
            double y = v[k - base];
            Py_ssize_t l = f.lefts[k - f.start];
            for (; left + 1 < l; left++)
                take_slot(&h, left);
            /* The last point out: where y belongs in its heap, y takes its
             * entry (one sift, and no top to move across). */
            int placed = 0;
            if (left < l) {
                Py_ssize_t at = h.where[left & h.lo.mask];
                if (at < IN_HI && (h.hi.size == 0
                                   || y <= h.hi.entries[0].value)) {
                    put(&h.lo, h.where, at, (entry){-y, k});
                    sink(&h.lo, h.where, at);
                    placed = 1;
                } else if (at >= IN_HI && (h.lo.size == 0
                                           || y >= -h.lo.entries[0].value)) {
                    put(&h.hi, h.where, at - IN_HI, (entry){y, k});
                    sink(&h.hi, h.where, at - IN_HI);
                    placed = 1;
                } else
                    take_slot(&h, left);
                left++;
            }
            if (!placed && h.lo.size + h.hi.size == h.capacity
                && grow(&h) < 0) {
                more = -1;
                break;
            }
            double rank = fraction * (double)(h.lo.size + h.hi.size - placed);
            Py_ssize_t i = (Py_ssize_t)rank;
            if (!placed)
                place(&h, y, k, i);
            while (h.lo.size > i + 1)
                cross(&h.lo, &h.hi, h.where);
            while (h.lo.size < i + 1)
                cross(&h.hi, &h.lo, h.where);
            double low = -h.lo.entries[0].value, part = rank - (double)i;
            out[k] = part == 0 ? low
                : low + part * (h.hi.entries[0].value - low);
        }
        if (more > 0)
            more = feed_next(&f, window);
    }
    Py_ssize_t nv = more < 0 ? -1 : f.stop;
    feed_close(&f);
    free(h.lo.entries);
    free(h.hi.entries);
    free(h.where);
    return nv;
}

PyDoc_STRVAR(move_quantile_time_doc,
"move_quantile_time(timestamps, values, window, fraction, min_points,\n"
"                   out_timestamps, out) -> int\n"
"\n"
"As move_time, the ``fraction`` quantile (0 to 1) of each window,\n"
"``s[k] + (h - k) * (s[k + 1] - s[k])``, ``s`` its values sorted,\n"
"``h = fraction * (len(s) - 1)``, ``k = floor(h)``, as numpy.percentile\n"
"and pandas' rolling quantile.  Windows of a few dozen points on average\n"
"are kept sorted, longer ones in two heaps.  Releases the GIL.");

static PyObject *py_move_quantile_time(PyObject *self, PyObject *args)
{
    series_buffers b;
    long long window;
    double fraction;
    Py_ssize_t min_points, written = -1;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Ldnw*w*", &b.t, &b.values, &window,
                          &fraction, &min_points, &b.out_t, &b.out))
        return NULL;
    Py_ssize_t n = series_points(&b);
    if (n >= 0 && (window < 1 || min_points < 1
                   || !(fraction >= 0 && fraction <= 1)))
        PyErr_SetString(PyExc_ValueError,
                        "window, min_points or fraction out of range");
    else if (n >= 0) {
        Py_BEGIN_ALLOW_THREADS
        /* The windows' points on average: SHORT or fewer, kept sorted. */
        const long long *t = b.t.buf;
        double span = n > 1 ? (double)t[n - 1] - (double)t[0] : 0;
        written = span > 0 && (double)window * (double)(n - 1) <= SHORT * span
            ? sorted_quantiles(t, b.values.buf, n, window, fraction,
                               b.out_t.buf, b.out.buf)
            : heap_quantiles(t, b.values.buf, n, window, fraction,
                             b.out_t.buf, b.out.buf);
        if (written > 0 && min_points > 1)
            written = keep_full(b.out_t.buf, b.out.buf, written, window,
                                min_points);
        Py_END_ALLOW_THREADS
    }
    return series_done(&b, written);
}

static PyMethodDef methods[] = {
    {"move_quantile_time", py_move_quantile_time, METH_VARARGS,
     move_quantile_time_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_duration_quantiles",
    "Duration-window quantiles: sorted windows, or two heaps.",
    -1, methods
};

PyMODINIT_FUNC PyInit__duration_quantiles(void)
{
    return PyModule_Create(&module);
}
