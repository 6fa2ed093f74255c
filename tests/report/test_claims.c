/*
 * Unit test of the claims' thresholds (report/claims.c): docs/claims.md's table
 * quotes each rule exactly as claims.c prints it from rpt_claim_thresholds, and
 * each threshold's number stands in its claim's rule there, so the document
 * and the rules applied cannot drift apart. No kernel features.
 * Usage: test_claims DOCS_DIR FIXTURES_DIR. Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

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

/* docs/claims.md's table rows: claim | measured as | rule, in order. */
struct row {
	char claim[512], measured[512], rule[2048];
};

static int read_rows(const char *path, struct row *rows, int cap)
{
	char line[4096];
	int n = 0;
	bool table = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < cap) {
		char *cols[3], *p = line, *bar;

		if (!strncmp(line, "| claim |", 9)) {
			table = true;
			continue;
		}
		if (!table || !strncmp(line, "|---", 4))
			continue;
		if (line[0] != '|')
			break;
		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 3; i++) {
			p += 2; /* "| " */
			bar = strstr(p, " |");
			if (!bar) {
				fclose(f);
				return -1;
			}
			*bar = '\0';
			cols[i] = p;
			p = bar + 1;
		}
		snprintf(rows[n].claim, sizeof(rows[n].claim), "%s", cols[0]);
		snprintf(rows[n].measured, sizeof(rows[n].measured), "%s", cols[1]);
		snprintf(rows[n].rule, sizeof(rows[n].rule), "%s", cols[2]);
		n++;
	}
	fclose(f);
	return n;
}

/* The threshold's number, as %g, in claim i's rule of the document. */
static void number_in(const struct row *rows, int i, const char *what, double v, double scale,
		      const char *fmt)
{
	char num[64];

	snprintf(num, sizeof(num), fmt, v * scale);
	CHECK(strstr(rows[i].rule, num), "claim %d: %s %s not in docs/claims.md's rule: %s", i + 1,
	      what, num, rows[i].rule);
}

int main(int argc, char **argv)
{
	static struct row rows[RPT_CLAIMS + 1];
	static struct rpt_claim out[RPT_CLAIMS];
	const struct rpt_claim_thresholds *t = &rpt_claim_thresholds;
	char path[4096];
	struct rpt_doc doc;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: test_claims DOCS_DIR FIXTURES_DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/claims.md", argv[1]);
	n = read_rows(path, rows, RPT_CLAIMS + 1);
	CHECK(n == RPT_CLAIMS, "%s: %d table rows, want %d", path, n, RPT_CLAIMS);
	snprintf(path, sizeof(path), "%s/echo.json", argv[2]);
	if (rpt_doc_load(path, &doc)) {
		printf("FAIL: cannot load %s\n", path);
		return 1;
	}
	rpt_claims(&doc, out);
	for (int i = 0; i < RPT_CLAIMS && i < n; i++) {
		CHECK(!strcmp(rows[i].claim, out[i].claim), "claim %d: docs %s, claims.c %s", i + 1,
		      rows[i].claim, out[i].claim);
		CHECK(!strcmp(rows[i].measured, out[i].measured_as),
		      "claim %d: measured as differs", i + 1);
		CHECK(!strcmp(rows[i].rule, out[i].rule),
		      "claim %d: docs/claims.md's rule is not the one claims.c applies:\n  docs: "
		      "%s\n  code: %s",
		      i + 1, rows[i].rule, out[i].rule);
	}
	if (n == RPT_CLAIMS) {
		char range[64];

		snprintf(range, sizeof(range), "[%g, %g]", t->epoll_lo, t->epoll_hi);
		CHECK(strstr(rows[0].rule, range), "claim 1: %s not in the rule", range);
		number_in(rows, 1, "io_uring_enter share", t->enter_share, 100, "at least %g%%");
		number_in(rows, 1, "batch count", t->batch_conns, 1, "must be %g or more");
		number_in(rows, 1, "SQEs per enter", t->batch_sqes, 1, "at least %g SQEs");
		number_in(rows, 2, "SQPOLL syscalls", t->sqpoll_syscalls, 1, "below %g.");
		number_in(rows, 3, "SQPOLL CPU share", t->sqpoll_cpu, 1, "at least %g in");
		number_in(rows, 4, "saving growth", t->growth, 1, "by more than %g (");
		number_in(rows, 4, "saving growth in points", t->growth, 100,
			  "(%g percentage points)");
		number_in(rows, 6, "overhead share", t->switch_share, 1, "exceeds %g at");
		number_in(rows, 6, "overhead share", t->switch_share, 1, "share is %g or less");
		number_in(rows, 7, "wakeup share", t->sleep_share, 1, "exceeds %g at");
		number_in(rows, 7, "wakeup share", t->sleep_share, 1, "share is %g or less");
	}
	rpt_doc_free(&doc);
	printf("%d claims: %s\n", n, failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
