/*
 * The summary table of a results document (what `ringside run` prints at the
 * end); results.json only. A cell's figures as one line are core/celltext.h's.
 */
#ifndef RS_TABLE_H
#define RS_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* One line per cell, the verdicts, and the warnings the marks call for. */
void table_print(FILE *f, const json_t *doc);
/* The same for the results file at path (DIR or results.json); 0, or an exit code after logging. */
int table_print_file(FILE *f, const char *path);

#endif
