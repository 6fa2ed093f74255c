/*
 * What `ringside run` prints: progress, one line per cell, the summary table.
 */
#ifndef RS_TABLE_H
#define RS_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cell.h"

/* eta_min: the ETA counts only the rounds --repeat auto must make (more may follow). */
void table_progress(const struct run_opts *o, const struct cell *c, int round, bool probed,
		    double eta_s, bool eta_min);
void table_progress_done(void);
void table_cell_line(const struct run_opts *o, const struct cell_spec *c, const json_t *cell);
void table_print(FILE *f, const json_t *doc);
void table_fmt_duration(double s, char *buf, size_t len);

#endif
