/*
 * Rate-sweep curves of a results.json (docs/results.md, "Curves"), as the
 * charts and the report read them: sets of curves that share a chart, i.e.
 * the same (workload, connections, size), one curve per model, and the words
 * for how a curve ended; and the makers of the curve and size-axis charts.
 */
#ifndef RS_REPORT_CURVES_H
#define RS_REPORT_CURVES_H

#include "chart.h"

struct rpt_curve_set {
	const char *workload;
	long long conns, size;		      /* size: payload_bytes or body_bytes; -1 unknown */
	double slo;			      /* the first curve's slo_p99_us; -1 without one */
	const json_t *curves[RPT_MAX_MODELS]; /* borrowed, in canonical model order */
	int n;
	char name[64]; /* file stem: "echo", "echo-100c", "echo-64B" when sets differ */
};

/* Fills up to cap sets from doc's "curves", in the order they first appear. */
int rpt_curve_sets(const struct rpt_doc *doc, struct rpt_curve_set *s, int cap);
/* The cell of a curve's i-th point (rising offered rate); NULL past the end. */
json_t *rpt_curve_point(const struct rpt_doc *doc, const json_t *curve, size_t i);
/* ended_by in words; "client" reads "the client ended this sweep ...". */
const char *rpt_ended_by_text(const char *ended_by);

/* The report's curve tables: a row per curve, and a row per point of a curve. */
#define RPT_CURVE_COLS 8
#define RPT_CURVE_CELL 320
extern const char *const rpt_curve_head[RPT_CURVE_COLS];
/* The points' heads, those of figures from core/figs.h; achieved holds one of them. */
void rpt_curve_point_head(const char *head[RPT_CURVE_COLS], char achieved[32]);
/* "Curves: echo, 100 connections, 64-byte messages (rate sweep, SLO p99 1000 µs)" */
void rpt_curve_set_title(const struct rpt_curve_set *set, char *buf, size_t len);
void rpt_curve_row(const json_t *curve, char c[RPT_CURVE_COLS][RPT_CURVE_CELL]);
void rpt_curve_point_row(const json_t *curve, const json_t *cell,
			 char c[RPT_CURVE_COLS][RPT_CURVE_CELL]);

/* The makers plot.c's registry names (chart.h). */
rpt_set_fn rpt_chart_curve;	 /* fig[0]: y; x: achieved requests/s, or offered (x_offered) */
rpt_run_fn rpt_chart_sizes;	 /* requests/s against size, per connection count */
rpt_run_fn rpt_chart_knee_sizes; /* the knee's requests/s against size, per count */

#endif
