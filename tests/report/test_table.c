/*
 * Unit test of the run table (report/table.c), the per-cell line
 * (core/celltext.c) and the figure table's ids (core/figs.h) they read, on the
 * report fixtures: the header README.md documents, a cell's row and line, and
 * every id naming the row of its own name. No processes.
 * Usage: test_table FIXTURES_DIR. Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "core/celltext.h"
#include "core/figs.h"
#include "report/table.h"

static const char header[] = "model              conns req/s median [95% CI]        runs   p50 us"
			     "   p99 us cpu us/rq ctxsw/rq  sysc/rq errors bound   status\n";

/* table_print_file of dir/name into a string (caller frees); NULL when it failed. */
static char *table_of(const char *dir, const char *name)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = table_print_file(f, path);
	fclose(f);
	if (rc) {
		free(text);
		return NULL;
	}
	return text;
}

static void test_ids(void)
{
	for (int i = 0; i < FIG_N; i++) {
		CHECKF(figs[i].name && fig_find(figs[i].name) == &figs[i], "id %d: row %s", i,
		       figs[i].name ? figs[i].name : "(none)");
		for (int k = 0; k < 4 && figs[i].parts[k]; k++)
			CHECKF(figs[i].parts[k]->unit &&
				   !strcmp(figs[i].parts[k]->unit, figs[i].unit),
			       "%s: part %s in another unit", figs[i].name, figs[i].parts[k]->name);
	}
	CHECK(!figs[FIG_N].name);
	CHECK(!strcmp(figs[FIG_LATENCY_P99].name, "latency_us.p99"));
	CHECK(!strcmp(figs[FIG_CPU_TOTAL].name, "cpu_us_per_request.total"));
	CHECK(figs[FIG_PROBE_OVERHEAD].derived && !figs[FIG_PROBE_OVERHEAD].from[0]);
}

static void test_ascii(void)
{
	char buf[64];

	fig_head_ascii(&figs[FIG_LATENCY_P99], buf, sizeof(buf));
	CHECKF(!strcmp(buf, "p99 us"), "%s", buf);
	fig_head_ascii(&figs[FIG_CPU_TOTAL], buf, sizeof(buf));
	CHECKF(!strcmp(buf, "CPU us/req"), "%s", buf);
}

static void test_table(const char *dir)
{
	char *t = table_of(dir, "cmp-base.json");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECKF(!strncmp(t, header, strlen(header)), "header:\n%.*s", (int)strlen(header), t);
	CHECKF(strstr(t, "\nepoll                100 112.1k [111.4k-112.6k]         12      892"
			 "     1881      8.70     0.04     2.05      0 server  ok\n"),
	       "epoll row:\n%s", t);
	CHECKF(strstr(t, "\nverdict: echo 64B, 100 connections: uring wins on throughput"), "%s",
	       t);
	free(t);
	/* a failed and a skipped cell: "-" for what they lack, and the reason under the row */
	t = table_of(dir, "echo.json");
	CHECK(t != NULL);
	if (t) {
		CHECKF(
		    strstr(t,
			   "\nuring-sqpoll        1000 -                               0        -"
			   "        -         -        -        -      - -       skipped\n"
			   "  ^ RLIMIT_MEMLOCK"),
		    "skipped row:\n%s", t);
		free(t);
	}
	CHECK(table_of(dir, "no-such-file.json") == NULL);
}

static void test_line(const char *dir)
{
	char path[4096], line[512];
	json_t *doc, *cell;

	snprintf(path, sizeof(path), "%s/cmp-base.json", dir);
	doc = json_load_file(path, 0, NULL);
	CHECK(doc != NULL);
	if (!doc)
		return;
	cell = json_array_get(json_object_get(doc, "cells"), 0);
	celltext_line(cell, line, sizeof(line));
	CHECKF(!strcmp(line, "ok after 12 runs (fixed), 112.1k [111.4k-112.6k] req/s, p99 1881 us"),
	       "%s", line);
	/* errors and a client-bound mark reach the line */
	json_object_set_new(json_object_get(json_object_get(cell, "summary"), "errors"), "total",
			    json_integer(3));
	json_object_set_new(cell, "bound", json_string("client"));
	celltext_line(cell, line, sizeof(line));
	CHECKF(strstr(line, ", ERRORS, client-bound"), "%s", line);
	json_decref(doc);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_table FIXTURES_DIR\n");
		return 2;
	}
	test_ids();
	test_ascii();
	test_table(argv[1]);
	test_line(argv[1]);
	printf("%d checks\n", check_count);
	return check_exit();
}
