/*
 * `ringside resummarise DIR|results.json`: recomputes every cell's summary,
 * outlier marks, bound and open-loop marks from the runs in the document
 * (core/summary.h: host figures included, nothing measured now) and writes the
 * document back atomically, or to --out. A summary written by an older ringside,
 * or edited by hand, comes out as this one computes it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "core/doc.h"
#include "core/summary.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ringside resummarise DIR|results.json [--out PATH]\n\n"
		"Recomputes every cell's summary from its runs (and the host figures the\n"
		"document holds) and writes the document back in place, atomically.\n"
		"  --out PATH  write it there instead (- for standard output)\n\n"
		"examples:\n"
		"  ringside resummarise results/20250101T100000Z-echo\n"
		"  ringside resummarise results/x/results.json --out - | jq .cells[0].summary\n");
}

int cmd_resummarise(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"out", required_argument, NULL, 'o'},
	    {0},
	};
	const char *outp = NULL;
	char path[PATH_MAX + 32];
	json_error_t jerr;
	struct stat st;
	json_t *doc;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'o':
			outp = optarg;
			break;
		default:
			usage_error("resummarise: bad option or missing value: %s",
				    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		usage_error("resummarise: expected one DIR or results.json");
	if (stat(argv[optind], &st) < 0) {
		PLOG_ERR("%s", argv[optind]);
		return RS_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), S_ISDIR(st.st_mode) ? "%s/results.json" : "%s", argv[optind]);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		LOG_ERR("%s: not valid JSON (line %d: %s)", path, jerr.line, jerr.text);
		return RS_EXIT_USAGE;
	}
	if (strcmp(doc_str(doc, "schema"), "ringside/1") ||
	    !json_is_array(json_object_get(doc, "cells"))) {
		LOG_ERR("%s: not a ringside/1 results file (schema or cells missing)", path);
		json_decref(doc);
		return RS_EXIT_USAGE;
	}
	summary_update_doc(doc);
	rc = doc_write(outp ? outp : path, doc) ? RS_EXIT_FAIL : RS_EXIT_OK;
	if (!rc && (!outp || strcmp(outp, "-")))
		printf("%s\n", outp ? outp : path);
	json_decref(doc);
	return rc;
}
