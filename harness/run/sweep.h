/*
 * Open-loop rate sweeps (`ringside run --sweep rate`; their options are rows
 * of options.c, the size axis is the plan's). A curve is one (workload, model,
 * connections, size): with --rates auto a short closed-loop probe estimates its
 * capacity, then open-loop points rise from SWEEP_START_FRAC of it by SWEEP_STEP
 * until a stop rule ends the curve (docs/results.md, "Curves"); --rates LIST
 * runs every listed rate. Curves run one after another, model-major (the stop
 * rules need each point before the next), each point through the driver.
 */
#ifndef RS_SWEEP_H
#define RS_SWEEP_H

#include <jansson.h>

#include "drive.h"

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
 * After results_update_cell summarised an open-loop cell: each run gets
 * offered_rate, achieved_rate and schedule_lag_us; the cell gets
 * client_bound_schedule (and bound "client" when it is true). Closed-loop
 * cells get client_bound_schedule null.
 */
void sweep_mark_cell(json_t *cell);

/*
 * Runs every curve of d->o through the driver (each point a listed cell of d,
 * so in doc.cells; each curve appended to doc.curves), size_opts from
 * plan_size_opts. Failed writes count in d->write_failed; stops early when run_interrupted.
 */
void sweep_run(struct drive *d, const struct run_opts *size_opts);

#endif
