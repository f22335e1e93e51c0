/*
 * newsagg_bm25: FTS5's bm25 ranking, with the document frequency of each phrase given by
 * the caller instead of counted.
 *
 * FTS5's own bm25() counts, once per query, every row that contains each phrase, to get
 * its IDF: for a word found in a third of a million-article archive that walk alone takes
 * tens of milliseconds, whatever LIMIT the query has. The search estimates those counts
 * cheaply (pipelines/archive/search.py) and passes them here; everything else is bm25() as
 * FTS5 computes it (k1 = 1.2, b = 0.75, column weights, the same average length and the
 * same IDF formula), so with exact counts the two give the same scores.
 *
 *   newsagg_bm25(fts_table, weight_1, ..., weight_ncol, docs_phrase_1, ..., docs_phrase_n)
 *
 * A phrase without a count given (or a negative one) is counted as bm25() counts it.
 *
 * The function is registered on every SQLite connection opened in this process after the
 * module is imported, through sqlite3_auto_extension: the documented way to add functions
 * to connections that another library (Python's sqlite3) opens. This needs the module and
 * Python's sqlite3 to share one SQLite library; the search checks that the function exists
 * and falls back to bm25() when it does not.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
    int nPhrase;
    double avgdl;
    double *aIDF;
    double *aFreq;
} RankData;

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *ctx, void *user) {
    (void)api;
    (void)ctx;
    (*(sqlite3_int64 *)user)++;
    return SQLITE_OK;
}

static int rank_data(const Fts5ExtensionApi *api, Fts5Context *ctx, int nVal,
                     sqlite3_value **apVal, RankData **out) {
    RankData *p = (RankData *)api->xGetAuxdata(ctx, 0);
    if (p) {
        *out = p;
        return SQLITE_OK;
    }
    int nPhrase = api->xPhraseCount(ctx);
    int nCol = api->xColumnCount(ctx);
    p = (RankData *)sqlite3_malloc64(sizeof(RankData) + sizeof(double) * 2 * (nPhrase + 1));
    if (!p) return SQLITE_NOMEM;
    memset(p, 0, sizeof(RankData) + sizeof(double) * 2 * (nPhrase + 1));
    p->nPhrase = nPhrase;
    p->aIDF = (double *)&p[1];
    p->aFreq = &p->aIDF[nPhrase + 1];

    sqlite3_int64 nRow = 0, nToken = 0;
    int rc = api->xRowCount(ctx, &nRow);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(ctx, -1, &nToken);
    if (rc == SQLITE_OK) p->avgdl = nRow > 0 ? (double)nToken / (double)nRow : 1.0;
    for (int i = 0; rc == SQLITE_OK && i < nPhrase; i++) {
        sqlite3_int64 nHit = -1;
        if (nCol + i < nVal && sqlite3_value_type(apVal[nCol + i]) != SQLITE_NULL) {
            nHit = sqlite3_value_int64(apVal[nCol + i]);
        }
        if (nHit < 0) {
            nHit = 0;
            rc = api->xQueryPhrase(ctx, i, (void *)&nHit, count_cb);
        }
        if (nHit > nRow) nHit = nRow;
        double idf = log((nRow - nHit + 0.5) / (nHit + 0.5));
        p->aIDF[i] = idf <= 0.0 ? 1e-6 : idf;
    }
    if (rc == SQLITE_OK) rc = api->xSetAuxdata(ctx, p, sqlite3_free);
    if (rc != SQLITE_OK) {
        sqlite3_free(p);
        return rc;
    }
    *out = p;
    return SQLITE_OK;
}

static void newsagg_bm25(const Fts5ExtensionApi *api, Fts5Context *ctx,
                         sqlite3_context *result, int nVal, sqlite3_value **apVal) {
    const double k1 = 1.2, b = 0.75;
    RankData *p = NULL;
    int rc = rank_data(api, ctx, nVal, apVal, &p);
    int nCol = api->xColumnCount(ctx);
    if (rc == SQLITE_OK) {
        memset(p->aFreq, 0, sizeof(double) * p->nPhrase);
        int nInst = 0;
        rc = api->xInstCount(ctx, &nInst);
        for (int i = 0; rc == SQLITE_OK && i < nInst; i++) {
            int ip, ic, io;
            rc = api->xInst(ctx, i, &ip, &ic, &io);
            if (rc == SQLITE_OK) {
                double w = (ic < nVal && ic < nCol) ? sqlite3_value_double(apVal[ic]) : 1.0;
                p->aFreq[ip] += w;
            }
        }
    }
    double D = 0.0;
    if (rc == SQLITE_OK) {
        int nTok = 0;
        rc = api->xColumnSize(ctx, -1, &nTok);
        D = (double)nTok;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(result, rc);
        return;
    }
    double score = 0.0;
    for (int i = 0; i < p->nPhrase; i++) {
        double f = p->aFreq[i];
        score += p->aIDF[i] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * D / p->avgdl)));
    }
    sqlite3_result_double(result, -1.0 * score);
}

static fts5_api *fts5_api_of(sqlite3 *db) {
    fts5_api *api = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return api;
}

static int register_on(sqlite3 *db, const char **err, const struct sqlite3_api_routines *thunk) {
    (void)err;
    (void)thunk;
    fts5_api *api = fts5_api_of(db);
    if (api && api->iVersion >= 2) {
        api->xCreateFunction(api, "newsagg_bm25", NULL, newsagg_bm25, NULL);
    }
    return SQLITE_OK; /* never refuse a connection: the search falls back to bm25() */
}

static PyObject *library_version(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return PyUnicode_FromString(sqlite3_libversion());
}

static PyMethodDef methods[] = {
    {"library_version", library_version, METH_NOARGS,
     "The version of the SQLite library this module registered its function with."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_rank",
    "newsagg_bm25, bm25 with given document counts, on every SQLite connection opened later.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__rank(void) {
    if (sqlite3_auto_extension((void (*)(void))register_on) != SQLITE_OK) {
        PyErr_SetString(PyExc_ImportError, "sqlite3_auto_extension failed");
        return NULL;
    }
    return PyModule_Create(&module);
}
