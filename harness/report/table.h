/*
 * The summary table of a results document (what `ringside run` prints at the
 * end) and one cell's figures as a line; results.json only.
 */
#ifndef RS_TABLE_H
#define RS_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* An ok cell: "ok after 5 runs (ci), 42.1k [41.0k-43.5k] req/s, p99 80.0 us, client-bound". */
void table_cell_text(const json_t *cell, char *buf, size_t len);
/* One line per cell, the verdicts, and the warnings the marks call for. */
void table_print(FILE *f, const json_t *doc);

#endif
