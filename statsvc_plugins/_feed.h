/*
 * The feed of the duration kernels (_duration_kernels.c,
 * _duration_quantiles.c): the points of finite values, gathered a block
 * at a time with the left edges of their windows (_edges.h), and the
 * compaction of results to the windows that hold enough points.
 */
#ifndef STATSVC_FEED_H
#define STATSVC_FEED_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "_edges.h"

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

/* The buffers of a duration kernel's call: the series, and the outputs. */
typedef struct {
    Py_buffer t, values, out_t, out;
} series_buffers;

/* Their number of points, or -1 (ValueError set) unless the four hold as
 * many int64 (timestamps) and float64 (values). */
static Py_ssize_t series_points(const series_buffers *b)
{
    Py_ssize_t len = b->values.len;
    if (len % (Py_ssize_t)sizeof(double) || b->t.len != len
        || b->out_t.len != len || b->out.len != len) {
        PyErr_SetString(PyExc_ValueError,
                        "buffers must hold as many int64 or float64");
        return -1;
    }
    return len / (Py_ssize_t)sizeof(double);
}

/* Release the buffers; the call's result: `written` as an int, or NULL
 * where an error is set (out of memory where written < 0). */
static PyObject *series_done(series_buffers *b, Py_ssize_t written)
{
    if (written < 0 && !PyErr_Occurred())
        PyErr_NoMemory();
    PyBuffer_Release(&b->t);
    PyBuffer_Release(&b->values);
    PyBuffer_Release(&b->out_t);
    PyBuffer_Release(&b->out);
    return PyErr_Occurred() ? NULL : PyLong_FromSsize_t(written);
}

#endif
