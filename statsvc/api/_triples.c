/*
 * Splice two JSON arrays into Gnocchi's [[timestamp, granularity, value]].
 *
 * orjson formats a whole datetime64 or float64 array in C, but has no way
 * to emit rows that mix the two: zipping them into 10**5 Python tuples and
 * encoding those took 90 % of a large GET (building and collecting the
 * tuples, most of it).  Here the two arrays orjson wrote are merged
 * element by element, by copying bytes: no number or date is formatted
 * here.  Neither array's elements may hold a comma, which is true of
 * orjson's numbers, null and ISO 8601 strings.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* How many elements a JSON array body (no brackets) holds, split at commas. */
static Py_ssize_t count_elements(const char *body, Py_ssize_t len)
{
    Py_ssize_t count = len > 0;
    for (const char *p = body, *end = body + len;
         (p = memchr(p, ',', end - p)) != NULL; p++)
        count++;
    return count;
}

PyDoc_STRVAR(splice_doc,
"splice(stamps, values, granularity) -> bytes\n"
"\n"
"``stamps`` and ``values`` are JSON arrays of as many elements, none\n"
"holding a comma (orjson's output for datetime64 and float64 arrays);\n"
"``granularity`` one JSON value.  Return the JSON array of\n"
"``[stamp, granularity, value]`` rows.  ValueError if the arrays are not\n"
"bracketed or differ in length.");

static PyObject *splice(PyObject *self, PyObject *args)
{
    Py_buffer s, v, g;
    PyObject *result = NULL;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*", &s, &v, &g))
        return NULL;
    const char *sb = (const char *)s.buf + 1, *vb = (const char *)v.buf + 1;
    Py_ssize_t slen = s.len - 2, vlen = v.len - 2, n;
    if (s.len < 2 || v.len < 2 || sb[-1] != '[' || sb[slen] != ']'
        || vb[-1] != '[' || vb[vlen] != ']') {
        PyErr_SetString(PyExc_ValueError, "not JSON arrays");
    } else if ((n = count_elements(sb, slen)) != count_elements(vb, vlen)) {
        PyErr_SetString(PyExc_ValueError, "arrays differ in length");
    } else {
        /* Rows '[' s ',' g ',' v ']' joined by commas: the elements' bytes
         * (the bodies less their n - 1 commas each), n * (g + 4) and n - 1
         * commas, in brackets. */
        Py_ssize_t size = 2 + (n ? slen + vlen + n * (g.len + 4) - n + 1 : 0);
        result = PyBytes_FromStringAndSize(NULL, size);
        if (result != NULL) {
            char *o = PyBytes_AS_STRING(result);
            const char *send = sb + slen, *vend = vb + vlen;
            *o++ = '[';
            for (Py_ssize_t i = 0; i < n; i++) {
                const char *sc = memchr(sb, ',', send - sb);
                const char *vc = memchr(vb, ',', vend - vb);
                if (sc == NULL)
                    sc = send;
                if (vc == NULL)
                    vc = vend;
                if (i)
                    *o++ = ',';
                *o++ = '[';
                memcpy(o, sb, sc - sb);
                o += sc - sb;
                *o++ = ',';
                memcpy(o, g.buf, g.len);
                o += g.len;
                *o++ = ',';
                memcpy(o, vb, vc - vb);
                o += vc - vb;
                *o++ = ']';
                sb = sc + 1;
                vb = vc + 1;
            }
            *o = ']';
        }
    }
    PyBuffer_Release(&s);
    PyBuffer_Release(&v);
    PyBuffer_Release(&g);
    return result;
}

static PyMethodDef methods[] = {
    {"splice", splice, METH_VARARGS, splice_doc},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_triples",
    "Gnocchi's measures rows from two JSON arrays, for statsvc.api.serialize.",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__triples(void)
{
    return PyModule_Create(&module);
}
