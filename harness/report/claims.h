/*
 * The claims check of `ringside report`: each claim of docs/claims.md,
 * the figure this run measured for it, and a verdict with the rule applied.
 * The rules and thresholds: the table in claims.c and docs/claims.md, word for word.
 */
#ifndef RS_REPORT_CLAIMS_H
#define RS_REPORT_CLAIMS_H

#include "data.h"

#define RPT_CLAIMS 8

enum rpt_verdict { RPT_AGREES, RPT_DISAGREES, RPT_CANNOT_TELL };

struct rpt_claim {
	const char *claim;	 /* as worded in docs/claims.md */
	const char *measured_as; /* ditto */
	const char *rule;	 /* how the verdict is reached, with thresholds */
	char figure[1024];	 /* what this run measured */
	enum rpt_verdict verdict;
	char why[768];
};

void rpt_claims(const struct rpt_doc *doc, struct rpt_claim out[RPT_CLAIMS]);
const char *rpt_verdict_text(enum rpt_verdict v);

#endif
