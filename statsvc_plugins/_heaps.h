/*
 * The heaps of the moving quantiles (_quantile.c for count windows,
 * _duration_kernels.c for durations): a min-heap of entries, each a value
 * and the slot of its point, whose index in the heap is kept in `where`
 * so that a leaving point's entry is found.
 */
#ifndef STATSVC_HEAPS_H
#define STATSVC_HEAPS_H

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

/* Children per node: four halve the levels of two, and the least of
 * four children is found by comparisons that do not wait for each
 * other. */
#define ARITY 4

/* Move entry i up or down to its place. */
static inline void sift(heap *h, Py_ssize_t *where, Py_ssize_t i)
{
    entry *a = h->entries, e = a[i];
    while (i > 0 && a[(i - 1) / ARITY].value > e.value) {
        put(h, where, i, a[(i - 1) / ARITY]);
        i = (i - 1) / ARITY;
    }
    for (;;) {
        Py_ssize_t first = ARITY * i + 1, best = first;
        if (first >= h->size)
            break;
        Py_ssize_t end = first + ARITY < h->size ? first + ARITY : h->size;
        for (Py_ssize_t c = first + 1; c < end; c++)
            best = a[c].value < a[best].value ? c : best;
        if (!(a[best].value < e.value))
            break;
        put(h, where, i, a[best]);
        i = best;
    }
    put(h, where, i, e);
}

/* sift(), but down the hole goes to a leaf by the least children and
 * the entry climbs back from there, so that the walk down has no exit
 * that depends on the entry: where entries mostly belong near the bottom
 * (a heap's last, moved into a hole; a random value in a top's place),
 * 0.93-0.95x the time of the duration quantiles; count windows' entries,
 * replaced where they are, took 1.25-1.45x with it, and keep sift(). */
static inline void sink(heap *h, Py_ssize_t *where, Py_ssize_t i)
{
    entry *a = h->entries, e = a[i];
    Py_ssize_t top = i;
    while (i > 0 && a[(i - 1) / ARITY].value > e.value) {
        put(h, where, i, a[(i - 1) / ARITY]);
        i = (i - 1) / ARITY;
    }
    if (i == top) {
        for (;;) {
            Py_ssize_t first = ARITY * i + 1, best = first;
            if (first >= h->size)
                break;
            Py_ssize_t end = first + ARITY < h->size ? first + ARITY
                                                     : h->size;
            for (Py_ssize_t c = first + 1; c < end; c++)
                best = a[c].value < a[best].value ? c : best;
            put(h, where, i, a[best]);
            i = best;
        }
        while (i > top && a[(i - 1) / ARITY].value > e.value) {
            put(h, where, i, a[(i - 1) / ARITY]);
            i = (i - 1) / ARITY;
        }
    }
    put(h, where, i, e);
}

#endif
