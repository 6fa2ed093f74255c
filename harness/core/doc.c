/*
 * core/: the harness's computing, with no process and no /proc in reach, tested
 * on fixtures (tests/core): the results document (doc.c: accessors and the atomic
 * write), the one table of figures (figs.c: every figure's paths, unit, label,
 * column head and format, read by the writer and by every reader), a cell in
 * words (celltext.c: the per-cell line of a run and the run table's pieces),
 * summaries (summary.c, host figures read from the document), the bound rule
 * (bound.c), the --repeat stop rule (stop.c), a sweep curve's rules (curve.c),
 * statistics (stats.c) and verdicts (verdict.c).
 * This file: reading the document by dotted path, for run/, report/ and tools/,
 * and writing it atomically. See doc.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/doc.h"
#include "fsio.h"
#include "log.h"

json_t *doc_get(const json_t *obj, const char *path)
{
	char key[256];

	while (obj && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		obj = json_object_get(obj, key);
		path += len + (dot ? 1 : 0);
	}
	return (json_t *)obj;
}

bool doc_num(const json_t *obj, const char *path, double *out)
{
	json_t *v = doc_get(obj, path);

	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return false;
	*out = json_number_value(v);
	return true;
}

const char *doc_str(const json_t *obj, const char *path)
{
	const char *s = json_string_value(doc_get(obj, path));

	return s ? s : "";
}

/*
 * A summary figure is either a number (older files, and figures without a
 * spread) or an object {median, min, max, n, ci95: [lo, hi], ci95_kind}.
 */
static const json_t *fig_object(const json_t *cell, const char *path)
{
	const char *dot = strrchr(path, '.');
	char p[300];
	json_t *v;

	if (dot && !strcmp(dot, ".median")) {
		snprintf(p, sizeof(p), "%.*s", (int)(dot - path), path);
		path = p;
	}
	v = doc_get(json_object_get(cell, "summary"), path);

	return json_is_object(v) && json_object_get(v, "median") ? v : NULL;
}

bool doc_fig(const json_t *cell, const char *path, double *val)
{
	const json_t *f = fig_object(cell, path);

	if (f)
		return doc_num(f, "median", val);
	return doc_num(json_object_get(cell, "summary"), path, val);
}

bool doc_ci(const json_t *cell, const char *path, double *lo, double *hi, bool *exact)
{
	const json_t *f = fig_object(cell, path);
	json_t *ci = f ? json_object_get(f, "ci95") : NULL;

	if (!json_is_array(ci) || json_array_size(ci) != 2 ||
	    !json_is_number(json_array_get(ci, 0)) || !json_is_number(json_array_get(ci, 1)))
		return false;
	*lo = json_number_value(json_array_get(ci, 0));
	*hi = json_number_value(json_array_get(ci, 1));
	if (exact)
		*exact = !strcmp(doc_str(f, "ci95_kind"), "order-statistic");
	return true;
}

bool doc_range(const json_t *cell, const char *path, double *lo, double *hi)
{
	json_t *sum = json_object_get(cell, "summary");
	const json_t *f = fig_object(cell, path);
	char p[300];
	const char *dot = strrchr(path, '.');

	if (f)
		return doc_num(f, "min", lo) && doc_num(f, "max", hi);
	if (dot && !strcmp(dot, ".median")) {
		snprintf(p, sizeof(p), "%.*s.min", (int)(dot - path), path);
		if (doc_num(sum, p, lo)) {
			snprintf(p, sizeof(p), "%.*s.max", (int)(dot - path), path);
			if (doc_num(sum, p, hi))
				return true;
		}
		/* spread.requests_per_sec = { min, max } for a {median,min,max} figure */
		snprintf(p, sizeof(p), "spread.%.*s.min", (int)(dot - path), path);
		if (doc_num(sum, p, lo)) {
			snprintf(p, sizeof(p), "spread.%.*s.max", (int)(dot - path), path);
			if (doc_num(sum, p, hi))
				return true;
		}
	}
	snprintf(p, sizeof(p), "spread.%s.min", path);
	if (!doc_num(sum, p, lo))
		return false;
	snprintf(p, sizeof(p), "spread.%s.max", path);
	return doc_num(sum, p, hi);
}

long long doc_cell_size(const json_t *cell)
{
	json_t *v = json_object_get(cell, "payload_bytes");

	if (!json_is_integer(v))
		v = json_object_get(cell, "body_bytes");
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

const char *doc_cell_status(const json_t *cell)
{
	const char *s = json_string_value(json_object_get(cell, "status"));

	return s ? s : "?";
}

bool doc_cell_ok(const json_t *cell)
{
	return !strcmp(doc_cell_status(cell), "ok");
}

bool doc_cell_equal_load(const json_t *cell)
{
	return json_is_true(json_object_get(cell, "equal_load"));
}

int doc_write(const char *path, const json_t *doc)
{
	struct fs_out out;
	FILE *f = fs_out_open(&out, path);

	if (!f)
		return -1;
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) || fputc('\n', f) == EOF) {
		PLOG_ERR("cannot write %s", out.tmp);
		fs_out_abort(&out);
		return -1;
	}
	return fs_out_commit(&out);
}
