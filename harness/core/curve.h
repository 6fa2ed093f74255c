/*
 * The rules of an open-loop rate sweep's curve (docs/results.md, "Curves"), as
 * pure functions over its points: when a curve stops, where its knee is, which
 * rate the refinement measures next, and when an open-loop cell's client fell
 * behind its schedule. run/sweep.c measures the points and calls these.
 */
#ifndef RS_CURVE_H
#define RS_CURVE_H

#include <stdbool.h>

#include <jansson.h>

#define CURVE_SAT_FRAC 0.95 /* achieved below this share of offered: saturated */
#define CURVE_SLO_RUNS 2    /* consecutive points over the SLO that end a curve */
#define CURVE_LAG_FRAC 0.10 /* client lag p99 over this share of the send interval */
#define CURVE_KNEE_X   2.0  /* without an SLO, the knee: p99 within this many times the floor */
#define CURVE_REFINE   2    /* geometric bisections between the knee and the stop */

/* A point of a curve as the stop rules and the knee read it. */
struct curve_point {
	double offered, achieved, p99;
	bool ok, client, skipped;
	json_int_t index; /* in doc.cells */
};

/* The point a measured open-loop cell gives (offered: its rate; index: in doc.cells). */
struct curve_point curve_point_of(const json_t *cell, double offered, json_int_t index);

/*
 * After point p of an auto curve: why the curve ends ("failed", "skipped",
 * "client", "saturation", "slo"), or NULL when it goes on. *over counts the
 * consecutive points over the SLO (slo_p99_us <= 0: none); start it at 0.
 */
const char *curve_stop(const struct curve_point *p, double slo_p99_us, int *over);

/* The lowest p99 of the points the server served on schedule; INFINITY if none. */
double curve_p99_floor(const struct curve_point *pts, int n);
/*
 * The knee's test: a point the server still served (achieved at least
 * CURVE_SAT_FRAC of offered, the client on schedule) with p99 within the SLO,
 * or, without an SLO, within CURVE_KNEE_X times the floor.
 */
bool curve_knee_ok(const struct curve_point *p, double floor, double slo_p99_us);
/* The knee: the busiest point that passes the test; -1 when none does. */
int curve_knee(const struct curve_point *pts, int n, double slo_p99_us);
/* The highest achieved rate of a point within the SLO; -1 without SLO or point. */
double curve_capacity_at_slo(const struct curve_point *pts, int n, double slo_p99_us);

/*
 * The refinement's bracket: good, the highest offered rate that passes the
 * knee's test, and bad, the lowest above it that fails it (client-bound points
 * left out). False when there is no such pair; the next rate to measure is
 * sqrt(good * bad), and its point moves good (passes) or bad (fails) to it.
 */
bool curve_bracket(const struct curve_point *pts, int n, double slo_p99_us, double *good,
		   double *bad);

/*
 * After the refinement measured point p at sqrt(good * bad): moves good (p passes
 * the knee's test against the bracket's floor) or bad (it fails) to p's rate.
 * False when the refinement ends there (p failed or its client fell behind).
 */
bool curve_refine_update(const struct curve_point *p, double floor, double slo_p99_us, double *good,
			 double *bad);

/*
 * The curve's summary keys (docs/results.md, "Curves"): points (cell indexes,
 * by offered rate; pts is sorted), p99_floor_us, knee, capacity_at_slo, ended_by.
 */
void curve_finish(json_t *curve, struct curve_point *pts, int n, double slo_p99_us,
		  const char *ended_by);

/*
 * The client fell behind an open-loop cell's schedule: its p99 schedule lag is
 * over CURVE_LAG_FRAC of the interval at which one connection sends
 * (connections / rate seconds).
 */
bool curve_client_lagged(double lag_p99_us, double connections, double rate);

#endif
