/*
 * The one driver of `ringside run` (drive.c): cells are measured a point at a
 * time, one repetition of one cell (drive_point: measure, summarise, the stop
 * rule, the cell's line, the write). drive_rounds makes the rounds of the
 * matrix from it; sweep.c makes each curve's points from it. The document's
 * cells are the driver's listed cells that have runs (or were skipped), in order.
 */
#ifndef RS_DRIVE_H
#define RS_DRIVE_H

#include <jansson.h>
#include <stdint.h>

#include "cell.h"

struct drive {
	const struct run_opts *o; /* the run's options (a cell's own: cell.o) */
	const struct cell_plan *plan;
	json_t *doc;
	const char *path;   /* where doc is written after every point */
	struct cell *cells; /* listed: they make doc.cells */
	int ncells, cap;
	int pending;  /* points not made yet (a sweep's estimate), for progress */
	int round;    /* of the point being measured */
	bool eta_min; /* the ETA counts only the repetitions that must be made */
	int write_failed;
	uint64_t t0_ns;
	int runs_done;
};

/* A driver writing doc to path; cap: the cells expected (more may be added). -1: no memory. */
int drive_init(struct drive *d, const struct run_opts *o, const struct cell_plan *plan, json_t *doc,
	       const char *path, int cap);
/*
 * Makes cell c for spec with options co (NULL: the run's): its object, summary
 * and repeat_stopped null; a skipped cell gets its line at once. c is the
 * next listed cell (drive_add) or one of the caller's, left out of doc.cells (a probe).
 */
void drive_cell_init(struct drive *d, struct cell *c, const struct run_opts *co,
		     const struct cell_spec *spec);
/* The next listed cell (zeroed, for drive_cell_init), or NULL when out of memory. */
struct cell *drive_add(struct drive *d);
/*
 * Measures a point: one repetition of c, then its summary, the stop rule
 * (cell.repeat_stopped; cell.done), its line once done, and the write.
 * -1 when interrupted.
 */
int drive_point(struct drive *d, struct cell *c);
/*
 * Interleaved: each round runs every listed cell that goes on once, in an order
 * shuffled afresh from the seed. Sequential: model-major, back to back.
 */
void drive_rounds(struct drive *d);
/* Writes doc with its listed cells (counted in write_failed when it fails). */
void drive_write(struct drive *d);
/* Drops the cells. */
void drive_fini(struct drive *d);

#endif
