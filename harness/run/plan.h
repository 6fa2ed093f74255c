/*
 * The plan of `ringside run` (plan.c): the matrix of cells the options make
 * (model-major, then connections, then sizes, each size its own copy of the
 * options) and the repetitions each may take, as --dry-run prints them.
 */
#ifndef RS_PLAN_H
#define RS_PLAN_H

#include <jansson.h>

#include "cell.h"

/* One options copy per size of o->sizes (o->size set in each); NULL when out of memory. */
struct run_opts *plan_size_opts(const struct run_opts *o);
/* The cells of the matrix: models x connections x sizes (a sweep's curves). */
int plan_ncells(const struct run_opts *o);
/* Cell i of the matrix: its spec, and which size (index into plan_size_opts) it has. */
void plan_cell(const struct run_opts *o, int i, struct cell_spec *spec, int *size);
/*
 * The plan as --dry-run prints it: { "cells" (or, for a sweep, "curves"), "repeat":
 * { "min", "max" } per cell (null for a sweep: its stop rules decide), "runs":
 * { "min", "max" } in all, and with --equal-load "equal_load": { "fraction",
 * "cells" (at most), "runs": { "min", "max" } }: its cells' rates come from the
 * closed-loop medians, and a group with fewer than two ok cells gets none }.
 */
json_t *plan_json(const struct run_opts *o);

#endif
