/*
 * `ringside export`: a results.json as CSV (one row per cell, every summary
 * figure flattened to dotted column names) and as the plain data files the
 * gnuplot scripts read. Pure file processing, no kernel features.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fsio.h"
#include "log.h"
#include "chart.h"

#define MAX_COLUMNS 4096

struct columns {
	char *name[MAX_COLUMNS];
	int n;
};

static const char *const id_columns[] = {"workload",   "model",	 "connections", "payload_bytes",
					 "body_bytes", "status", "reason"};
#define N_ID (int)(sizeof(id_columns) / sizeof(id_columns[0]))

/* New columns go after the last one with the same parent, so groups stay together. */
static void add_column(struct columns *c, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t plen = dot ? (size_t)(dot - name) + 1 : 0;
	int at = -1;

	for (int i = 0; i < c->n; i++) {
		if (!strcmp(c->name[i], name))
			return;
		if (plen && !strncmp(c->name[i], name, plen) && !strchr(c->name[i] + plen, '.'))
			at = i;
	}
	if (c->n == MAX_COLUMNS)
		return;
	at = at < 0 ? c->n : at + 1;
	memmove(&c->name[at + 1], &c->name[at], (c->n - at) * sizeof(c->name[0]));
	c->name[at] = strdup(name);
	if (!c->name[at])
		DIE("out of memory");
	c->n++;
}

/* Pass 0 takes figures with a value, pass 1 nulls that no other cell has as an object. */
static void collect(struct columns *c, json_t *v, const char *prefix, int pass)
{
	const char *key;
	json_t *sub;
	char name[512];

	if (!json_is_object(v)) {
		size_t len = strlen(prefix);
		bool parent = false;

		if (!json_is_null(v) || pass == 0) {
			if (!json_is_null(v))
				add_column(c, prefix);
			return;
		}
		for (int i = 0; i < c->n && !parent; i++)
			parent = !strncmp(c->name[i], prefix, len) && c->name[i][len] == '.';
		if (!parent)
			add_column(c, prefix);
		return;
	}
	json_object_foreach(v, key, sub)
	{
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(sub) && json_object_size(sub) == 0)
			continue;
		collect(c, sub, name, pass);
	}
}

static void csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_value(FILE *f, json_t *v)
{
	char buf[64];
	char *text;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		rpt_fmt_num(json_real_value(v), buf, sizeof(buf));
		fputs(buf, f);
		break;
	case JSON_STRING:
		csv_text(f, json_string_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_OBJECT: /* a figure null elsewhere: its leaves have their own columns */
		break;
	case JSON_ARRAY:
		text = json_dumps(v, JSON_COMPACT);
		if (text)
			csv_text(f, text);
		free(text);
		break;
	default: /* null: an empty field */
		break;
	}
}

static int write_csv(const struct rpt_doc *doc, const char *path)
{
	struct columns *cols = calloc(1, sizeof(*cols));
	struct fs_out out;
	FILE *f;
	int rc = -1;

	if (!cols)
		DIE("out of memory");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < json_array_size(doc->cells); i++) {
			json_t *sum = json_object_get(json_array_get(doc->cells, i), "summary");

			if (json_is_object(sum))
				collect(cols, sum, "", pass);
		}
	}
	f = fs_out_open(&out, path);
	if (!f)
		goto out;
	for (int i = 0; i < N_ID + cols->n; i++) {
		if (i)
			fputc(',', f);
		csv_text(f, i < N_ID ? id_columns[i] : cols->name[i - N_ID]);
	}
	fputc('\n', f);
	for (size_t r = 0; r < json_array_size(doc->cells); r++) {
		json_t *cell = json_array_get(doc->cells, r);
		json_t *sum = json_object_get(cell, "summary");

		for (int i = 0; i < N_ID + cols->n; i++) {
			if (i)
				fputc(',', f);
			if (i < N_ID)
				csv_value(f, json_object_get(cell, id_columns[i]));
			else if (json_is_object(sum))
				csv_value(f, doc_get(sum, cols->name[i - N_ID]));
		}
		fputc('\n', f);
	}
	rc = fs_out_commit(&out);
out:
	for (int i = 0; i < cols->n; i++)
		free(cols->name[i]);
	free(cols);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ringside export DIR|results.json [--csv] [--data] [--out PATH]\n\n"
		"  --csv       one row per cell, every summary figure as a column with dotted\n"
		"              names (requests_per_sec.median, latency_us.p99,\n"
		"              syscalls_by_name.read, ...); empty field = null (not measured).\n"
		"              Default output DIR/results.csv. The default when no mode is given.\n"
		"  --data      the plain data files the gnuplot charts read, into\n"
		"              DIR/charts/data/ (or --out DIR).\n"
		"  --out PATH  output file (--csv; - for standard output) or directory\n"
		"              (--data); not with both.\n\n"
		"examples:\n"
		"  ringside export results/20250101T100000Z-echo --csv\n"
		"  ringside export results/x/results.json --csv --out /tmp/x.csv\n"
		"  ringside export results/x --csv --out - | column -s, -t\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},	 {"csv", no_argument, NULL, 'c'},
	    {"data", no_argument, NULL, 'd'},	 {"out", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'}, {0},
	};
	bool csv = false, data = false;
	const char *outp = NULL;
	char path[PATH_MAX + 32];
	struct rpt_chart *charts;
	struct rpt_doc doc;
	int opt, rc, n = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hcdo:v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'c':
			csv = true;
			break;
		case 'd':
			data = true;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'v':
			rs_verbose = 1;
			break;
		default:
			usage_error("export: bad option or missing value: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		usage_error("export: expected one DIR or results.json");
	if (!csv && !data)
		csv = true;
	if (csv && data && outp)
		usage_error("export: --out names one output; use --csv and --data separately");
	if (data && outp && !strcmp(outp, "-"))
		usage_error("export: --data writes a directory of files; --out - is for --csv");
	rc = rpt_doc_load(argv[optind], &doc);
	if (rc)
		return rc;
	if (csv) {
		if (!outp)
			snprintf(path, sizeof(path), "%s/results.csv", doc.dir);
		else
			snprintf(path, sizeof(path), "%s", outp);
		if (write_csv(&doc, path) < 0)
			rc = RS_EXIT_FAIL;
		else if (strcmp(path, "-")) /* "-": the CSV itself went to stdout */
			printf("%s\n", path);
	}
	if (data && !rc) {
		if (!outp)
			snprintf(path, sizeof(path), "%s/charts/data", doc.dir);
		else
			snprintf(path, sizeof(path), "%s", outp);
		charts = calloc(RPT_MAX_CHARTS, sizeof(*charts));
		if (!charts)
			DIE("out of memory");
		n = rpt_chart_all(&doc, path, charts, RPT_MAX_CHARTS);
		for (int i = 0; i < n; i++)
			printf("%s\n", charts[i].data);
		if (n < 0)
			rc = RS_EXIT_FAIL;
		free(charts);
	}
	rpt_doc_free(&doc);
	return rc;
}
