/*
 * What `ringside run` shows while it measures: a progress line on stderr when
 * it is a terminal, and one log line per finished cell (its figures formatted
 * by core/celltext.h from the cell's JSON).
 */
#ifndef RS_PROGRESS_H
#define RS_PROGRESS_H

#include <stdbool.h>

#include <jansson.h>

#include "cell.h"

/* eta_min: the ETA counts only the rounds --repeat auto must make (more may follow). */
void progress_show(const struct run_opts *o, const struct cell *c, int round, bool probed,
		   double eta_s, bool eta_min);
/* Clears the progress line, if one is shown. */
void progress_done(void);
/* The finished cell's line (its figures or why it failed), unless --quiet. */
void progress_cell_line(const struct run_opts *o, const struct cell_spec *c, const json_t *cell);
/* "42s", "3m05s", "1h02m". */
void progress_fmt_duration(double s, char *buf, size_t len);

#endif
