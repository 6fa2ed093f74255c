/*
 * Loading and validating results.json for the reading subcommands, and the
 * small helpers they share: figure lookup by dotted path, grouping of cells,
 * labels, and atomic output files. See report_data.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "models.h"
#include "data.h"

static int load_fail(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int load_fail(const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	LOG_ERR("%s: %s", path, msg);
	return RS_EXIT_USAGE;
}

static int check_cell(const char *path, json_t *cell, size_t i)
{
	json_t *conns = json_object_get(cell, "connections");

	if (!json_is_object(cell))
		return load_fail(path, "cell %zu is not an object: not a ringside/1 results file",
				 i);
	if (!json_is_string(json_object_get(cell, "workload")) ||
	    !json_is_string(json_object_get(cell, "model")) ||
	    !json_is_string(json_object_get(cell, "status")))
		return load_fail(path, "cell %zu lacks workload, model or status", i);
	if (!json_is_integer(conns) || json_integer_value(conns) < 0)
		return load_fail(path, "cell %zu: connections is not a non-negative integer", i);
	if (json_object_get(cell, "summary") && !json_is_object(json_object_get(cell, "summary")) &&
	    !json_is_null(json_object_get(cell, "summary")))
		return load_fail(path, "cell %zu: summary is not an object", i);
	return 0;
}

int rpt_doc_load(const char *arg, struct rpt_doc *doc)
{
	struct stat st;
	json_error_t jerr;
	const char *schema;
	char *slash;
	int n;

	memset(doc, 0, sizeof(*doc));
	if (stat(arg, &st) < 0) {
		PLOG_ERR("%s", arg);
		return RS_EXIT_USAGE;
	}
	if (S_ISDIR(st.st_mode))
		n = snprintf(doc->path, sizeof(doc->path), "%s/results.json", arg);
	else
		n = snprintf(doc->path, sizeof(doc->path), "%s", arg);
	if (n < 0 || (size_t)n >= sizeof(doc->path))
		return load_fail(arg, "path too long");
	snprintf(doc->dir, sizeof(doc->dir), "%s", doc->path);
	slash = strrchr(doc->dir, '/');
	if (!slash)
		snprintf(doc->dir, sizeof(doc->dir), ".");
	else if (slash == doc->dir)
		slash[1] = '\0';
	else
		*slash = '\0';

	doc->root = json_load_file(doc->path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc->root)
		return load_fail(doc->path, "not valid JSON (line %d: %s)", jerr.line, jerr.text);
	if (!json_is_object(doc->root)) {
		rpt_doc_free(doc);
		return load_fail(doc->path,
				 "not a ringside results file (top level is not an object)");
	}
	schema = json_string_value(json_object_get(doc->root, "schema"));
	if (!schema || strcmp(schema, "ringside/1")) {
		n = load_fail(doc->path, "not a ringside/1 results file (schema %s%s%s)",
			      schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
		rpt_doc_free(doc);
		return n;
	}
	doc->cells = json_object_get(doc->root, "cells");
	if (!json_is_array(doc->cells)) {
		rpt_doc_free(doc);
		return load_fail(arg, "\"cells\" is missing or not an array");
	}
	for (size_t i = 0; i < json_array_size(doc->cells); i++) {
		n = check_cell(doc->path, json_array_get(doc->cells, i), i);
		if (n) {
			rpt_doc_free(doc);
			return n;
		}
	}
	return 0;
}

void rpt_doc_free(struct rpt_doc *doc)
{
	json_decref(doc->root);
	doc->root = NULL;
	doc->cells = NULL;
}

static int add_model(struct rpt_group *g, const char *m)
{
	for (int i = 0; i < g->nmodels; i++)
		if (!strcmp(g->models[i], m))
			return 0;
	if (g->nmodels == RPT_MAX_MODELS)
		return -1;
	g->models[g->nmodels++] = m;
	return 0;
}

static void add_conns(struct rpt_group *g, long long c)
{
	int i = 0;

	while (i < g->nconns && g->conns[i] < c)
		i++;
	if ((i < g->nconns && g->conns[i] == c) || g->nconns == RPT_MAX_CONNS)
		return;
	memmove(&g->conns[i + 1], &g->conns[i], (g->nconns - i) * sizeof(g->conns[0]));
	g->conns[i] = c;
	g->nconns++;
}

double rpt_cell_rate(const json_t *cell)
{
	json_t *r = json_object_get(cell, "rate");

	if (doc_cell_equal_load(cell))
		return RPT_RATE_EQUAL;
	return json_is_number(r) && json_number_value(r) > 0 ? json_number_value(r) : -1;
}

bool rpt_cell_swept(const json_t *cell)
{
	return json_is_integer(json_object_get(cell, "sweep_step"));
}

static bool same_slice(const json_t *c, const char *workload, long long size, double rate)
{
	return !strcmp(doc_str(c, "workload"), workload) && doc_cell_size(c) == size &&
	       rpt_cell_rate(c) == rate && !rpt_cell_swept(c);
}

bool rpt_in_group(const struct rpt_group *g, const json_t *cell)
{
	return same_slice(cell, g->workload, g->size, g->rate);
}

json_t *rpt_group_view(const struct rpt_doc *doc, const struct rpt_group *g)
{
	json_t *cells = json_array();

	for (size_t i = 0; i < json_array_size(doc->cells); i++)
		if (rpt_in_group(g, json_array_get(doc->cells, i)))
			json_array_append(cells, json_array_get(doc->cells, i));
	return json_pack("{s:o}", "cells", cells);
}

int rpt_groups(const struct rpt_doc *doc, struct rpt_group *g, int cap)
{
	json_t *models = doc_get(doc->root, "config.models");
	int n = 0;

	for (size_t i = 0; i < json_array_size(doc->cells); i++) {
		json_t *cell = json_array_get(doc->cells, i);
		const char *wl = doc_str(cell, "workload");
		long long size = doc_cell_size(cell);
		double rate = rpt_cell_rate(cell);
		int k;

		if (rpt_cell_swept(cell))
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(g[k].workload, wl) && g[k].size == size && g[k].rate == rate)
				break;
		if (k == n) {
			if (n == cap)
				continue;
			memset(&g[n], 0, sizeof(g[n]));
			g[n].workload = wl;
			g[n].size = size;
			g[n].rate = rate;
			for (size_t m = 0; m < json_array_size(models); m++) {
				const char *name = json_string_value(json_array_get(models, m));

				/* only config models that have a cell in this group */
				for (size_t j = 0; name && j < json_array_size(doc->cells); j++) {
					json_t *c = json_array_get(doc->cells, j);

					if (rpt_in_group(&g[n], c) &&
					    !strcmp(doc_str(c, "model"), name)) {
						add_model(&g[n], name);
						break;
					}
				}
			}
			n++;
		}
		add_model(&g[k], doc_str(cell, "model"));
		add_conns(&g[k], json_integer_value(json_object_get(cell, "connections")));
	}
	for (int k = 0; k < n; k++) {
		bool multi = false, rated = false;
		size_t at;

		/* canonical order (blocking, epoll, io_uring, SQPOLL, nginx, haproxy), stable */
		for (int i = 1; i < g[k].nmodels; i++)
			for (int j = i; j > 0 && rpt_model_rank(g[k].models[j]) <
						     rpt_model_rank(g[k].models[j - 1]);
			     j--) {
				const char *t = g[k].models[j];

				g[k].models[j] = g[k].models[j - 1];
				g[k].models[j - 1] = t;
			}

		for (int j = 0; j < n; j++) {
			if (j == k || strcmp(g[j].workload, g[k].workload))
				continue;
			multi |= g[j].size != g[k].size;
			rated |= g[j].rate != g[k].rate;
		}
		if (multi)
			snprintf(g[k].name, sizeof(g[k].name), "%.40s-%lldB", g[k].workload,
				 g[k].size);
		else
			snprintf(g[k].name, sizeof(g[k].name), "%.40s", g[k].workload);
		at = strlen(g[k].name);
		if (rated && g[k].rate > 0)
			snprintf(g[k].name + at, sizeof(g[k].name) - at, "-r%.0f", g[k].rate);
		else if (g[k].rate == RPT_RATE_EQUAL)
			snprintf(g[k].name + at, sizeof(g[k].name) - at, "-equal");
		for (char *p = g[k].name; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
			    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_')
				*p = '_';
	}
	return n;
}

double rpt_group_rate(const struct rpt_doc *doc, const struct rpt_group *g, long long conns)
{
	if (g->rate != RPT_RATE_EQUAL)
		return g->rate;
	for (int m = 0; m < g->nmodels; m++) {
		const json_t *c =
		    rpt_find_cell(doc, g->workload, g->size, g->rate, g->models[m], conns);

		if (c)
			return json_number_value(json_object_get(c, "rate"));
	}
	return -1;
}

json_t *rpt_find_cell(const struct rpt_doc *doc, const char *workload, long long size, double rate,
		      const char *model, long long conns)
{
	for (size_t i = 0; i < json_array_size(doc->cells); i++) {
		json_t *c = json_array_get(doc->cells, i);

		if (same_slice(c, workload, size, rate) && !strcmp(doc_str(c, "model"), model) &&
		    json_integer_value(json_object_get(c, "connections")) == conns)
			return c;
	}
	return NULL;
}

int rpt_model_rank(const char *model)
{
	int r = models_rank(model);

	return r < 0 ? 100 : r;
}

const char *rpt_model_label(const char *model)
{
	const struct model_info *m = models_find(model);

	return m && m->label ? m->label : model;
}

/* `--server` models: colours none of the table's models has, in order of appearance. */
static const char *const custom_colours[RPT_CUSTOM_COLOURS] = {"#8c564b", "#17becf", "#bcbd22",
							       "#393b79"};

/* Which `--server` model this is, 0 first, in config.models order, then in cell order. */
static int custom_index(const struct rpt_doc *doc, const char *model)
{
	json_t *models = doc ? doc_get(doc->root, "config.models") : NULL;
	const char *seen[64];
	int n = 0;

	for (size_t i = 0; doc && i < json_array_size(models) + json_array_size(doc->cells); i++) {
		const char *name =
		    i < json_array_size(models)
			? json_string_value(json_array_get(models, i))
			: doc_str(json_array_get(doc->cells, i - json_array_size(models)), "model");
		int k;

		if (!name || models_find(name))
			continue;
		if (!strcmp(name, model))
			return n;
		for (k = 0; k < n && strcmp(seen[k], name); k++)
			;
		if (k == n && n < 64)
			seen[n++] = name;
	}
	return n;
}

int rpt_model_style(const struct rpt_doc *doc, const char *model)
{
	int r = models_rank(model), ntable = 0;

	while (models_table[ntable].name)
		ntable++;
	if (r >= 0)
		return r + 1;
	return ntable + 1 + custom_index(doc, model) % RPT_CUSTOM_COLOURS;
}

const char *rpt_model_colour(const struct rpt_doc *doc, const char *model)
{
	const struct model_info *m = models_find(model);

	if (m && m->colour)
		return m->colour;
	return custom_colours[custom_index(doc, model) % RPT_CUSTOM_COLOURS];
}

void rpt_conns_label(long long conns, char *buf, size_t len)
{
	snprintf(buf, len, "%lld connection%s", conns, conns == 1 ? "" : "s");
}

void rpt_host_line(const struct rpt_doc *doc, char *buf, size_t len)
{
	json_t *host = json_object_get(doc->root, "host");
	double cpus;
	char ncpu[32] = "";

	if (doc_num(host, "cpus", &cpus))
		snprintf(ncpu, sizeof(ncpu), " (%.0f CPUs)", cpus);
	snprintf(buf, len, "%s suite, kernel %s, %s%s",
		 *doc_str(doc->root, "suite") ? doc_str(doc->root, "suite") : "unnamed",
		 *doc_str(host, "kernel") ? doc_str(host, "kernel") : "unknown",
		 *doc_str(host, "cpu_model") ? doc_str(host, "cpu_model") : "unknown CPU", ncpu);
}

void rpt_fmt_num(double v, char *buf, size_t len)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}
