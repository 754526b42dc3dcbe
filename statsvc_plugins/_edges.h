/*
 * The left edges of duration windows, without a mispredicted branch.
 *
 * The window of point k is (t[k] - window, t[k]]: its left edge is the
 * first j with t[j] > t[k] - window.  Walking it on point by point
 * (`while (t[left] <= cutoff) left++`) exits its loop after a number of
 * steps that depends on the data: on irregular series the exit
 * mispredicts about every other point, which was most of the time of
 * every duration kernel.  Here each step counts, without a branch, how
 * many of the next 4 timestamps have left the window and moves on by that
 * count (the loop runs again only when all 4 have left: rarely, where
 * points are denser than the window is long), and four chains of such
 * steps, over four quarters of a block of points, run interleaved so that
 * the processor overlaps their loads: 1.75 ms for 10**6 points with
 * exponential steps, 4.4x faster than the loop (8 timestamps a step: as
 * fast there, 1.6x slower on regular steps; 8 chains: 1.7x slower).
 *
 * Included by the C files of the duration kernels; `t` holds the
 * timestamps of the valid points only (int64 ns, ascending).
 */
#ifndef STATSVC_EDGES_H
#define STATSVC_EDGES_H

#include <limits.h>

/* Points of edges per call of window_edges(): its output stays in L1. */
#define EDGE_BLOCK 4096

/* t[j] has left the window of a point at ti iff t[j] < edge_bound(ti):
 * t[j] <= ti - window, saturated so that no timestamp passes a bound
 * below LLONG_MIN (nothing has left such a window). */
static inline long long edge_bound(long long ti, long long window)
{
    return ti < LLONG_MIN + (window - 1) ? LLONG_MIN : ti - (window - 1);
}

/* The first j in [lo, hi] with t[j] >= bound; t[hi] >= bound. */
static Py_ssize_t edge_search(const long long *t, Py_ssize_t lo,
                              Py_ssize_t hi, long long bound)
{
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (t[mid] < bound)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first j >= l with t[j] >= bound, t[n - 1] >= bound. */
static inline Py_ssize_t edge_advance(const long long *t, Py_ssize_t n,
                                      Py_ssize_t l, long long bound)
{
    while (l + 4 <= n) {
        Py_ssize_t gone = 0;
        for (int k = 0; k < 4; k++)
            gone += t[l + k] < bound;
        l += gone;
        if (gone < 4)
            return l;
    }
    while (t[l] < bound)
        l++;
    return l;
}

/* lefts[k - s] = the left edge of point k's window, for k in [s, e) of
 * the n points of t; lo is at most the left edge of s.  (The chains are
 * four named locals: in an array, gcc keeps them in memory.) */
static void window_edges(const long long *t, Py_ssize_t n, long long window,
                         Py_ssize_t lo, Py_ssize_t s, Py_ssize_t e,
                         Py_ssize_t *lefts)
{
    Py_ssize_t q = (e - s) / 4;
    Py_ssize_t l0 = edge_search(t, lo, s, edge_bound(t[s], window));
    Py_ssize_t l1 = edge_search(t, l0, s + q, edge_bound(t[s + q], window));
    Py_ssize_t l2 = edge_search(t, l1, s + 2 * q,
                                edge_bound(t[s + 2 * q], window));
    Py_ssize_t l3 = edge_search(t, l2, s + 3 * q,
                                edge_bound(t[s + 3 * q], window));
    const long long *t0 = t + s;
    for (Py_ssize_t k = 0; k < q; k++) {
        l0 = edge_advance(t, n, l0, edge_bound(t0[k], window));
        l1 = edge_advance(t, n, l1, edge_bound(t0[q + k], window));
        l2 = edge_advance(t, n, l2, edge_bound(t0[2 * q + k], window));
        l3 = edge_advance(t, n, l3, edge_bound(t0[3 * q + k], window));
        lefts[k] = l0;
        lefts[q + k] = l1;
        lefts[2 * q + k] = l2;
        lefts[3 * q + k] = l3;
    }
    for (Py_ssize_t k = s + 4 * q; k < e; k++) {
        l3 = edge_advance(t, n, l3, edge_bound(t[k], window));
        lefts[k - s] = l3;
    }
}

/* window_edges() by walking the left edge on, point by point: where
 * points leave the windows at a steady pace (regular steps), the walk's
 * loop exits predictably and it takes half the time of the counting. */
static void walk_edges(const long long *t, Py_ssize_t n, long long window,
                       Py_ssize_t lo, Py_ssize_t s, Py_ssize_t e,
                       Py_ssize_t *lefts)
{
    (void)n;
    Py_ssize_t l = edge_search(t, lo, s, edge_bound(t[s], window));
    for (Py_ssize_t k = s; k < e; k++) {
        long long bound = edge_bound(t[k], window);
        while (t[l] < bound)
            l++;
        lefts[k - s] = l;
    }
}

/* Whether points left the m windows of lefts at a steady pace: the number
 * of points leaving changed from one window to the next at fewer than 1
 * in 8 of every 8th window.  Each change costs walk_edges() a
 * mispredicted branch, about what the counting costs every 5 windows:
 * where points leave steadily but for gaps, the walk still pays. */
static int steady(const Py_ssize_t *lefts, Py_ssize_t m)
{
    Py_ssize_t changes = 0, seen = 0;
    for (Py_ssize_t k = 2; k < m; k += 8, seen++)
        changes += lefts[k] - lefts[k - 1] != lefts[k - 1] - lefts[k - 2];
    return changes * 8 < seen;
}

#endif
