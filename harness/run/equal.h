/*
 * The equal-load phase of `ringside run` (equal.c; the rate rule is core/equal.h):
 * once the closed-loop rounds are done, every model of each (size, connection
 * count) group is run open-loop at the group's common rate, in rounds of their
 * own, so that the verdicts can compare server CPU per request at equal load.
 */
#ifndef RS_RUN_EQUAL_H
#define RS_RUN_EQUAL_H

#include "drive.h"

/*
 * Adds the equal-load cells of d's closed-loop cells (size_opts: one options
 * copy per size, as plan_size_opts makes them), records doc.equal_load and runs
 * the rounds. The cells' options live in *opts (free it after drive_fini).
 * 0, or -1 when out of memory.
 */
int equal_load_run(struct drive *d, const struct run_opts *size_opts, struct run_opts **opts);

#endif
