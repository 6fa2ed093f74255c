/*
 * The claims check of `ringside report`: each claim of docs/claims.md,
 * the figure this run measured for it, and a verdict with the rule applied.
 * The thresholds are defined once, below; the rules' text is made from them,
 * and docs/claims.md quotes that text word for word (tests/report/test_claims
 * checks the table against these definitions).
 */
#ifndef RS_REPORT_CLAIMS_H
#define RS_REPORT_CLAIMS_H

#include "data.h"

#define RPT_CLAIMS 8

enum rpt_verdict { RPT_AGREES, RPT_DISAGREES, RPT_CANNOT_TELL };

struct rpt_claim {
	const char *claim;	 /* as worded in docs/claims.md */
	const char *measured_as; /* ditto */
	char rule[1536];	 /* how the verdict is reached, with the thresholds below */
	char figure[1024];	 /* what this run measured */
	enum rpt_verdict verdict;
	char why[768];
};

/* The numbers the rules judge by. */
struct rpt_claim_thresholds {
	double epoll_lo, epoll_hi; /* 1: epoll's server syscalls per request lie in [lo, hi] */
	double enter_share;	   /* 2: io_uring_enter's least share of uring's syscalls */
	int batch_conns;	   /* 2: the highest connection count must be at least this */
	double batch_sqes;	   /* 2: ... where each io_uring_enter submits at least this */
	double sqpoll_syscalls;	   /* 3: SQPOLL's server syscalls per request stay below this */
	double sqpoll_cpu;	   /* 4: the SQPOLL thread's least share of one CPU */
	double growth;		   /* 5: the saving must grow by more than this */
	double switch_share;	   /* 7: epoll's overhead share must exceed this somewhere */
	double sleep_share;	   /* 8: epoll's or blocking's wakeup share, likewise */
};

extern const struct rpt_claim_thresholds rpt_claim_thresholds;

void rpt_claims(const struct rpt_doc *doc, struct rpt_claim out[RPT_CLAIMS]);
const char *rpt_verdict_text(enum rpt_verdict v);

#endif
