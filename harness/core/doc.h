/*
 * The results document (docs/results.md) as both halves of the harness read it:
 * run/ while it summarises cells, report/ when it draws and compares them.
 * Figures are fetched by dotted path ("latency_us.p99"); doc_write writes the
 * whole document atomically (lib/fsio.h).
 */
#ifndef RS_DOC_H
#define RS_DOC_H

#include <stdbool.h>

#include <jansson.h>

/* Value at a dotted path; NULL when absent. */
json_t *doc_get(const json_t *obj, const char *path);
/* A finite number at path; false when absent, null or not a number. */
bool doc_num(const json_t *obj, const char *path, double *out);
/* The string at path; "" when absent. */
const char *doc_str(const json_t *obj, const char *path);

/*
 * A cell's summary figure at path ("requests_per_sec", "latency_us.p99"): a
 * summarised figure is an object {"median", "min", "max", "n", "ci95": [lo, hi],
 * "ci95_kind": "order-statistic" | "range"} (docs/results.md); older files hold
 * a bare number (the median) with its min-max under summary.spread.
 * doc_fig gives the median; doc_range its min-max over runs; doc_ci its 95% CI,
 * with *exact false when the CI is only [min, max] (too few runs for a real one).
 * A path ending in ".median" ("requests_per_sec.median") names the same figure.
 */
bool doc_fig(const json_t *cell, const char *path, double *val);
bool doc_range(const json_t *cell, const char *path, double *lo, double *hi);
bool doc_ci(const json_t *cell, const char *path, double *lo, double *hi, bool *exact);

/* payload_bytes (echo) or body_bytes (proxy); -1 when unknown. */
long long doc_cell_size(const json_t *cell);
/* "ok" | "failed" | "skipped" | "interrupted", "?" when absent. */
const char *doc_cell_status(const json_t *cell);
bool doc_cell_ok(const json_t *cell);
/* A cell of the equal-load phase (cell.equal_load, docs/results.md)? */
bool doc_cell_equal_load(const json_t *cell);

/* Writes doc to path atomically (temp file, fsync, rename); 0, or -1 after logging. */
int doc_write(const char *path, const json_t *doc);

#endif
