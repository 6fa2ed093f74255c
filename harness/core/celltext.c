/*
 * A cell in words (celltext.h): the formatting the run's per-cell line and the
 * run table share. Pure reading of a cell's JSON.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/celltext.h"
#include "core/doc.h"

void celltext_rate(double v, bool ok, char *buf, size_t len)
{
	if (!ok)
		snprintf(buf, len, "-");
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

void celltext_num(double v, bool ok, char *buf, size_t len)
{
	if (!ok)
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

void celltext_fig(const json_t *cell, const struct fig *f, char *buf, size_t len)
{
	double v;
	bool ok = fig_cell(cell, f, &v);

	celltext_num(v, ok, buf, len);
}

void celltext_tput(const json_t *cell, char *buf, size_t len)
{
	const char *rps = figs[FIG_REQUESTS_PER_SEC].name;
	char med[24], lo[24], hi[24];
	double m, l, h;
	bool exact = false;

	if (!doc_fig(cell, rps, &m)) {
		snprintf(buf, len, "-");
		return;
	}
	celltext_rate(m, true, med, sizeof(med));
	if (!doc_ci(cell, rps, &l, &h, &exact) && !doc_range(cell, rps, &l, &h)) {
		snprintf(buf, len, "%s", med);
		return;
	}
	celltext_rate(l, true, lo, sizeof(lo));
	celltext_rate(h, true, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s-%s]%s", med, lo, hi, exact ? "" : "~");
}

void celltext_marks(const json_t *cell, char *buf, size_t len)
{
	double outliers = 0;
	const char *stopped = doc_str(cell, "repeat_stopped");

	buf[0] = '\0';
	if (json_is_true(json_object_get(cell, "noisy")))
		snprintf(buf + strlen(buf), len - strlen(buf), " noisy");
	if (fig_cell(cell, &figs[FIG_OUTLIERS], &outliers) && outliers > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), " %.0f outlier%s", outliers,
			 outliers == 1 ? "" : "s");
	if (!strcmp(stopped, "max"))
		snprintf(buf + strlen(buf), len - strlen(buf), " ci-wide");
}

void celltext_line(const json_t *cell, char *buf, size_t len)
{
	const struct fig *p99 = &figs[FIG_LATENCY_P99];
	char rps[64], lat[32], marks[64];
	double errs;
	bool have_errs = fig_cell(cell, &figs[FIG_ERRORS], &errs);

	celltext_tput(cell, rps, sizeof(rps));
	celltext_fig(cell, p99, lat, sizeof(lat));
	celltext_marks(cell, marks, sizeof(marks));
	snprintf(buf, len, "ok after %zu runs (%s), %s %s, p99 %s %s%s%s%s",
		 json_array_size(json_object_get(cell, "runs")), doc_str(cell, "repeat_stopped"),
		 rps, figs[FIG_REQUESTS_PER_SEC].unit, lat, p99->unit,
		 have_errs && errs > 0 ? ", ERRORS" : "",
		 bound_cell_client(cell) ? ", client-bound" : "", marks);
}
