/*
 * A cell's summary from its runs (docs/results.md, "Cell summary"): every
 * figure of the figure table (figs.h) as a median with its 95% CI (stats.h),
 * the sums of requests and errors, probe_overhead, syscall_overhead_share
 * (from the document's host.null_syscall_ns), outlier marks, noisy runs, the
 * cell's bound (bound.h) and an open-loop cell's client lag (curve.h). Reads
 * nothing but the document, so a results file can be re-summarised alone.
 */
#ifndef RS_SUMMARY_H
#define RS_SUMMARY_H

#include <jansson.h>

/* host.null_syscall_ns.unprobed of doc; NaN when the document has none. */
double summary_null_ns(const json_t *doc);
/*
 * After the cell gained a run: marks outliers (run.outlier), recomputes
 * cell.summary (with outliers and noisy_runs), cell.noisy and cell.bound; each
 * run gets offered_rate, achieved_rate and schedule_lag_us, the cell skipped_sends (the
 * load generators' skipped sends; any makes the cell client-bound) and
 * client_bound_schedule (open loop: true sets bound "client"; closed: null).
 * doc gives the host figures (the cell need not be in doc.cells yet).
 */
void summary_update_cell(json_t *cell, const json_t *doc);
/* summary_update_cell on every cell of doc, then doc.verdicts: `ringside resummarise`. */
void summary_update_doc(json_t *doc);
/* The half-width of the cell's requests/s CI in % of its median; NaN if undefined. */
double summary_ci_halfwidth_pct(const json_t *cell);

#endif
