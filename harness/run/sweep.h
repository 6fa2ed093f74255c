/*
 * Open-loop rate sweeps (`ringside run --sweep rate`) and the size axis of the
 * matrix. A curve is one (workload, model, connections, size): with --rates auto
 * a short closed-loop probe estimates its capacity, then open-loop points rise
 * from SWEEP_START_FRAC of it by SWEEP_STEP until a stop rule ends the curve
 * (docs/results.md, "Curves"); --rates LIST runs every listed rate. Curves run
 * one after another, model-major (the stop rules need each point before the next).
 */
#ifndef RS_SWEEP_H
#define RS_SWEEP_H

#include <jansson.h>

#include "cell.h"

#define SWEEP_START_FRAC 0.10 /* first auto point: this share of the probe's req/s */
#define SWEEP_STEP	 1.25 /* each auto point offers this much more than the last */
#define SWEEP_MAX_STEPS                                                                            \
	14 /* auto points before refinement: up to 1.8x the probe, which can read low */
#define SWEEP_REFINE   2    /* geometric bisections between the knee and the stop */
#define SWEEP_PROBE_S  0.5  /* the closed-loop probe's measured window */
#define SWEEP_SAT_FRAC 0.95 /* achieved below this share of offered: saturated */
#define SWEEP_SLO_RUNS 2    /* consecutive points over the SLO that end a curve */
#define SWEEP_LAG_FRAC 0.10 /* client lag p99 over this share of the send interval */
#define SWEEP_KNEE_X   2.0  /* without an SLO, the knee: p99 within this many times the floor */

/*
 * Checks and completes the sweep options once run_parse_opts has the rest
 * (sweep: "rate" or NULL; rates: "auto", a list or NULL; slo: µs or NULL).
 * Exits 2 with one line on a bad combination.
 */
void sweep_parse_opts(struct run_opts *o, const char *sweep, const char *rates, const char *slo,
		      const char *sizes);

/* One options copy per size of o->sizes (o->size set in each); NULL when out of memory. */
struct run_opts *sweep_size_opts(const struct run_opts *o);

/* config.sizes, sweep, rates, slo_p99_us, work_us and churn (docs/results.md;
 * config.host_header is options_custom.c's run_custom_config). */
void sweep_config_json(const struct run_opts *o, json_t *cfg);

/*
 * After results_update_cell summarised an open-loop cell: each run gets
 * offered_rate, achieved_rate and schedule_lag_us; the cell gets
 * client_bound_schedule (and bound "client" when it is true). Closed-loop
 * cells get client_bound_schedule null.
 */
void sweep_mark_cell(json_t *cell);

/*
 * Runs every curve of o (appending each point's cell to doc.cells and each
 * curve to doc.curves, writing path after every point). Returns the number of
 * failed writes; stops early when run_interrupted.
 */
int sweep_run(const struct run_opts *o, const struct cell_plan *plan, json_t *doc,
	      const char *path);

#endif
