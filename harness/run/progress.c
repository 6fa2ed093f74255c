/*
 * Progress of `ringside run` (progress.h): the terminal line with its ETA and
 * the log line of each finished cell.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/celltext.h"
#include "progress.h"
#include "log.h"

static bool progress_shown;

void progress_fmt_duration(double s, char *buf, size_t len)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%lds", t);
}

void progress_show(const struct run_opts *o, const struct cell *c, int round, bool probed,
		   double eta_s, bool eta_min)
{
	char eta[32], reps[24];

	if (o->quiet || !isatty(STDERR_FILENO))
		return;
	progress_fmt_duration(eta_s, eta, sizeof(eta));
	if (o->repeat)
		snprintf(reps, sizeof(reps), "%lu", o->repeat);
	else
		snprintf(reps, sizeof(reps), "auto, <= %lu", o->max_repeat);
	fprintf(stderr, "\r\033[Kround %d: cell %d/%d %s c=%lu rep %d (%s)%s, ETA %s%s", round + 1,
		c->spec.index + 1, c->spec.total, c->spec.model, c->spec.connections, c->reps + 1,
		reps, probed ? " (probed)" : "", eta_min ? ">= " : "", eta);
	fflush(stderr);
	progress_shown = true;
}

void progress_done(void)
{
	if (progress_shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		progress_shown = false;
	}
}

void progress_cell_line(const struct run_opts *o, const struct cell_spec *c, const json_t *cell)
{
	const char *status = json_string_value(json_object_get(cell, "status"));
	char text[512];

	if (o->quiet)
		return;
	progress_done();
	if (strcmp(status, "ok")) {
		LOG_INFO("cell %d/%d %s %s c=%lu: %s: %s", c->index + 1, c->total,
			 c->workload->name, c->model, c->connections, status,
			 json_string_value(json_object_get(cell, "reason")));
		return;
	}
	celltext_line(cell, text, sizeof(text));
	LOG_INFO("cell %d/%d %s %s c=%lu: %s", c->index + 1, c->total, c->workload->name, c->model,
		 c->connections, text);
}
