/*
 * Unit test of the report's model looks (report/data.c over lib/models.c): every
 * model of the table has a label, a rank in table order and a colour of its own,
 * `--server` models get colours none of the table's has, and with --mono every
 * style number has its own dash and point type in scripts/common.gp. No kernel
 * features. Usage: test_models SCRIPTS_DIR. Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "models.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#define MAX 64

static bool is_hex_colour(const char *c)
{
	if (!c || strlen(c) != 7 || c[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", c[i]))
			return false;
	return true;
}

/* The integers of "array NAME[N] = [a, b, ...]" in common.gp; how many, or -1. */
static int gp_array(const char *text, const char *name, int *v, int cap)
{
	char head[64];
	const char *p;
	int n = 0;

	snprintf(head, sizeof(head), "array %s[", name);
	p = strstr(text, head);
	if (!p || !(p = strstr(p, "= [")))
		return -1;
	for (p += 3; n < cap && *p && *p != ']';) {
		char *end;

		v[n++] = (int)strtol(p, &end, 10);
		if (end == p)
			return -1;
		p = end + strspn(end, ", \t\\\n");
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *colour[MAX];
	char path[4096], text[16384];
	int ntable = 0, styles[MAX], dt[32], pt[32], ndt, npt;
	struct rpt_doc doc = {.path = "synthetic"};
	json_t *models = json_array();
	size_t got;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: test_models SCRIPTS_DIR\n");
		return 2;
	}
	/* a run with every table model and two --server models */
	for (const struct model_info *m = models_table; m->name; m++, ntable++)
		json_array_append_new(models, json_string(m->name));
	json_array_append_new(models, json_string("tinygate"));
	json_array_append_new(models, json_string("caddy"));
	doc.root = json_pack("{s:{s:o}}", "config", "models", models);
	doc.cells = json_array();
	CHECK(ntable + 2 <= MAX, "table too big for the test");

	for (int i = 0; i < ntable; i++) {
		const struct model_info *m = &models_table[i];

		CHECK(m->label && *m->label, "%s: no label", m->name);
		CHECK(!strcmp(rpt_model_label(m->name), m->label), "%s: label %s, table %s",
		      m->name, rpt_model_label(m->name), m->label);
		CHECK(rpt_model_rank(m->name) == i, "%s: rank %d, table place %d", m->name,
		      rpt_model_rank(m->name), i);
		colour[i] = rpt_model_colour(&doc, m->name);
		CHECK(is_hex_colour(colour[i]) && !strcmp(colour[i], m->colour),
		      "%s: colour %s, table %s", m->name, colour[i], m->colour);
		styles[i] = rpt_model_style(&doc, m->name);
	}
	/* the model the hand-kept list used to miss */
	CHECK(strcmp(rpt_model_label("uring-sqpoll-busy"), "uring-sqpoll-busy"),
	      "uring-sqpoll-busy has no label of its own");
	colour[ntable] = rpt_model_colour(&doc, "tinygate");
	colour[ntable + 1] = rpt_model_colour(&doc, "caddy");
	styles[ntable] = rpt_model_style(&doc, "tinygate");
	styles[ntable + 1] = rpt_model_style(&doc, "caddy");
	CHECK(rpt_model_rank("tinygate") > ntable, "a --server model ranks before the table's");
	CHECK(!strcmp(rpt_model_label("tinygate"), "tinygate"), "a --server model's label");
	for (int i = 0; i < ntable + 2; i++) {
		const char *a = i < ntable    ? models_table[i].name
				: i == ntable ? "tinygate"
					      : "caddy";

		CHECK(is_hex_colour(colour[i]), "%s: colour %s", a, colour[i]);
		CHECK(styles[i] >= 1 && styles[i] <= ntable + RPT_CUSTOM_COLOURS, "%s: style %d", a,
		      styles[i]);
		for (int j = 0; j < i; j++) {
			CHECK(strcasecmp(colour[i], colour[j]), "%s and model %d share colour %s",
			      a, j, colour[i]);
			CHECK(styles[i] != styles[j], "%s and model %d share style %d", a, j,
			      styles[i]);
		}
	}

	/* --mono: each style number has its own (dash type, point type) pair */
	snprintf(path, sizeof(path), "%s/common.gp", argv[1]);
	f = fopen(path, "r");
	CHECK(f, "cannot read %s", path);
	got = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[got] = '\0';
	if (f)
		fclose(f);
	ndt = gp_array(text, "DT", dt, 32);
	npt = gp_array(text, "PT", pt, 32);
	CHECK(ndt >= ntable + RPT_CUSTOM_COLOURS && npt >= ntable + RPT_CUSTOM_COLOURS,
	      "common.gp: DT has %d and PT %d entries, styles go up to %d", ndt, npt,
	      ntable + RPT_CUSTOM_COLOURS);
	for (int i = 0; i < ntable + RPT_CUSTOM_COLOURS && i < ndt && i < npt; i++)
		for (int j = 0; j < i; j++)
			CHECK(dt[i] != dt[j] || pt[i] != pt[j],
			      "--mono styles %d and %d look the same (dt %d, pt %d)", i + 1, j + 1,
			      dt[i], pt[i]);
	json_decref(doc.root);
	json_decref(doc.cells);
	printf("%d table models, 2 --server models: %s\n", ntable, failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
