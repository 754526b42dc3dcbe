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

#include "_edges.h"
#include "_heaps.h"

/* As statsvc_plugins._kernels.MOMENTS numbers them, then the extremes. */
enum kind { SUM, MEAN, STD, ZSCORE, VAR, MIN, MAX };

/* Prefix sums restart every SUM_BLOCK points (a power of two). */
#define SUM_SHIFT 10
#define SUM_BLOCK (1 << SUM_SHIFT)

/* The points of finite values, gathered a block at a time, and the left
 * edges of their windows.  The timestamps go to tv (the output's: the
 * edges read them); the values of the points that windows may still hold
 * go to `arrays` buffers of `size` slots (one allocation), point j at
 * slot j - base, for the kernel to overwrite with what it keeps of them.
 * Before each block, what windows no longer hold is dropped by sliding
 * the rest to the front, and the buffers double when windows outgrow
 * them: temporary memory follows the windows' extent, not the series'
 * length, and stays in the cache (fresh memory as long as the series
 * cost more in page faults than the kernels). */
typedef struct {
    const long long *t;
    const double *x;
    Py_ssize_t n, i;       /* the input, and where gathering is */
    long long *tv;
    double *values;
    Py_ssize_t size, base;
    int arrays, walk;      /* walk: take walk_edges() for the next block */
    Py_ssize_t start, stop, *lefts;  /* the block: points [start, stop) */
} feed;

static int feed_open(feed *f, const long long *t, const double *x,
                     Py_ssize_t n, long long *tv, int arrays)
{
    *f = (feed){.t = t, .x = x, .n = n, .tv = tv, .arrays = arrays,
                .size = 4 * EDGE_BLOCK};
    f->values = malloc(arrays * f->size * sizeof(double));
    f->lefts = malloc(EDGE_BLOCK * sizeof(Py_ssize_t));
    return f->values && f->lefts ? 0 : -1;
}

static void feed_close(feed *f)
{
    free(f->values);
    free(f->lefts);
}

/* Make room for a block after the points [keep, start): slide them to the
 * front, into buffers twice the room they need if they are short of it;
 * 0, or -1 if out of memory. */
static int feed_room(feed *f, Py_ssize_t keep)
{
    Py_ssize_t need = f->start + EDGE_BLOCK - keep, size = f->size;
    if (f->start + EDGE_BLOCK - f->base <= size)
        return 0;
    double *values = f->values;
    if (2 * need > size) {
        size = 2 * need;
        values = malloc(f->arrays * size * sizeof(double));
        if (values == NULL)
            return -1;
    }
    for (int a = 0; a < f->arrays; a++)
        memmove(values + a * size, f->values + a * f->size + (keep - f->base),
                (f->start - keep) * sizeof(double));
    if (values != f->values) {
        free(f->values);
        f->values = values;
        f->size = size;
    }
    f->base = keep;
    return 0;
}

/* Gather the next block: 1, 0 at the end, -1 if out of memory. */
static int feed_next(feed *f, long long window)
{
    /* The last block's last left edge: no later window reaches before. */
    Py_ssize_t lo = f->stop > f->start ? f->lefts[f->stop - f->start - 1]
                                       : 0;
    f->start = f->stop;
    /* Sums read the point before a window too. */
    if (feed_room(f, lo ? lo - 1 : 0) < 0)
        return -1;
    Py_ssize_t m = f->start, full = m + EDGE_BLOCK, i = f->i;
    for (; i < f->n && m < full; i++) {
        f->tv[m] = f->t[i];
        f->values[m - f->base] = f->x[i];
        m += isfinite(f->x[i]) != 0;
    }
    f->i = i;
    if (m == f->start)
        return 0;
    f->stop = m;
    if (f->walk)
        walk_edges(f->tv, m, window, lo, f->start, m, f->lefts);
    else
        window_edges(f->tv, m, window, lo, f->start, m, f->lefts);
    f->walk = steady(f->lefts, m - f->start);
    return 1;
}

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

/* Keep the results of the points whose window holds at least min_points:
 * point k's does iff point k - min_points + 1 is in it.  In place: the
 * timestamp it reads is never one it has overwritten. */
static Py_ssize_t keep_full(long long *tv, double *out, Py_ssize_t nv,
                            long long window, Py_ssize_t min_points)
{
    Py_ssize_t written = 0;
    for (Py_ssize_t k = min_points - 1; k < nv; k++) {
        int full = tv[k - min_points + 1] >= edge_bound(tv[k], window);
        tv[written] = tv[k];
        out[written] = out[k];
        written += full;
    }
    return written;
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
    Py_buffer t, values, out_t, out;
    long long window;
    Py_ssize_t min_points, written = 0;
    int kind;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Lniw*w*", &t, &values, &window,
                          &min_points, &kind, &out_t, &out))
        return NULL;
    Py_ssize_t n = values.len / (Py_ssize_t)sizeof(double);
    if (values.len % sizeof(double) || t.len != values.len
        || out_t.len != values.len || out.len != values.len) {
        PyErr_SetString(PyExc_ValueError,
                        "buffers must hold as many int64 or float64");
    } else if (kind < SUM || kind > MAX) {
        PyErr_SetString(PyExc_ValueError, "kind must be 0 to 6");
    } else if (window < 1 || min_points < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "window and min_points must be positive");
    } else {
        if (kind >= STD && kind <= VAR && min_points < 2)
            min_points = 2;
        Py_BEGIN_ALLOW_THREADS
        written = move_time(t.buf, values.buf, n, window, min_points, kind,
                            out_t.buf, out.buf);
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
    Py_buffer t, values, out_t, out;
    long long window;
    double fraction;
    Py_ssize_t min_points, written = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*Ldnw*w*", &t, &values, &window,
                          &fraction, &min_points, &out_t, &out))
        return NULL;
    Py_ssize_t n = values.len / (Py_ssize_t)sizeof(double);
    if (values.len % sizeof(double) || t.len != values.len
        || out_t.len != values.len || out.len != values.len) {
        PyErr_SetString(PyExc_ValueError,
                        "buffers must hold as many int64 or float64");
    } else if (window < 1 || min_points < 1
               || !(fraction >= 0 && fraction <= 1)) {
        PyErr_SetString(PyExc_ValueError,
                        "window, min_points or fraction out of range");
    } else {
        Py_BEGIN_ALLOW_THREADS
        /* The windows' points on average: SHORT or fewer, kept sorted. */
        const long long *stamps = t.buf;
        double span = n > 1 ? (double)stamps[n - 1] - (double)stamps[0] : 0;
        written = span > 0 && (double)window * (double)(n - 1) <= SHORT * span
            ? sorted_quantiles(t.buf, values.buf, n, window, fraction,
                               out_t.buf, out.buf)
            : heap_quantiles(t.buf, values.buf, n, window, fraction,
                             out_t.buf, out.buf);
        if (written > 0 && min_points > 1)
            written = keep_full(out_t.buf, out.buf, written, window,
                                min_points);
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
    {"move_time", py_move_time, METH_VARARGS, move_time_doc},
    {"move_quantile_time", py_move_quantile_time, METH_VARARGS,
     move_quantile_time_doc},
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
