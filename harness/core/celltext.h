/*
 * A cell of the results document in words, from its JSON alone: the line
 * `ringside run` logs when a cell finishes (run/progress.c) and the pieces the
 * run table (report/table.c) prints per cell. Here, below both, so measuring
 * never calls reporting; the figures' paths and heads come from figs.h.
 */
#ifndef RS_CELLTEXT_H
#define RS_CELLTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/figs.h"

/* "12.3k" style for rates; "-" when !ok. */
void celltext_rate(double v, bool ok, char *buf, size_t len);
/* Three significant-ish digits ("892", "27.8", "2.05"); "-" when !ok. */
void celltext_num(double v, bool ok, char *buf, size_t len);
/* The cell's median of f, as celltext_num writes it. */
void celltext_fig(const json_t *cell, const struct fig *f, char *buf, size_t len);
/*
 * "42.1k [41.0k-43.5k]": the median requests/s and its 95% CI; a trailing "~"
 * when the CI is only [min, max] (under 6 runs). "-" without a median.
 */
void celltext_tput(const json_t *cell, char *buf, size_t len);
/* " noisy", " 2 outliers", " ci-wide" (--repeat auto stopped at its cap): the cell's marks. */
void celltext_marks(const json_t *cell, char *buf, size_t len);
/* An ok cell: "ok after 5 runs (ci), 42.1k [41.0k-43.5k] req/s, p99 80.0 us, client-bound". */
void celltext_line(const json_t *cell, char *buf, size_t len);

#endif
