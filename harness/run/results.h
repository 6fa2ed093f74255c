/*
 * The results document (docs/results.md) as a run builds it: config, host,
 * cells with their runs and summaries, written atomically after every run.
 */
#ifndef RS_RESULTS_H
#define RS_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct cell_plan;
/* The document's top level; probes_off is why the probes are off ("" when on). */
json_t *results_new(const struct run_opts *o, const struct cell_plan *plan, const char *probes_off,
		    const char *command);
/* Most runs a cell's figures are summarised over (more are left out). */
#define RUN_VALUES_MAX 256
/* A side whose CPU utilisation median reaches this bound the cell. */
#define RESULTS_BOUND_UTIL 0.9

/*
 * After the cell gained a run: marks outliers (run.outlier), recomputes
 * cell.summary (with outliers and noisy_runs), cell.noisy and cell.bound.
 */
void results_update_cell(json_t *cell);
/* The half-width of the cell's requests/s CI in % of its median; NaN if undefined. */
double results_ci_halfwidth_pct(const json_t *cell);
/* status: "running", "complete", "interrupted"; sets finished_at unless running. */
void results_set_status(json_t *doc, const char *status);
/* Writes path atomically (temp file in the same dir, fsync, rename); -1 on error. */
int results_write(const char *path, const json_t *doc);
/* Creates a fresh result directory (base, base-2, base-3, ...) into out. */
int results_make_dir(const char *base, char *out, size_t len);
/* The shell-quoted command line. Caller frees. */
char *results_quote_argv(int argc, char *const argv[]);
/* RFC 3339 UTC timestamp of now. */
void results_utc_now(char *buf, size_t len, bool compact);
/* The same with microseconds ("2024-05-01T12:00:00.123456Z"): runs sort by it. */
void results_utc_precise(char *buf, size_t len);
/* Fills cell.summary from cell.runs; exposed for tests and for re-summarising. */
json_t *results_summarise(const json_t *cell);

#endif
