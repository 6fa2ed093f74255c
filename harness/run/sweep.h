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
#define SWEEP_PROBE_S 0.5 /* the closed-loop probe's measured window */
/* The stop rules, the knee and the refinement: core/curve.h. */

/*
 * Runs every curve of d->o through the driver (each point a listed cell of d,
 * so in doc.cells; each curve appended to doc.curves), size_opts from
 * plan_size_opts. Failed writes count in d->write_failed; stops early when run_interrupted.
 */
void sweep_run(struct drive *d, const struct run_opts *size_opts);

#endif
