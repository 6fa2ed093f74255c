/*
 * Claims check: turns a run's cells into a verdict per design claim. Every
 * threshold is defined once (rpt_claim_thresholds), applied from there and
 * printed from there into the rule text shown beside the verdict, so a reader
 * can disagree with the rule rather than guess it.
 */
#include <stdarg.h>
#include <string.h>

#include "claims.h"
#include "models.h"
#include "text.h"
#include "core/figs.h"
#include "core/verdict.h"

const struct rpt_claim_thresholds rpt_claim_thresholds = {
    .epoll_lo = 1.5,
    .epoll_hi = 3.5,
    .enter_share = 0.8,
    .batch_conns = 10,
    .batch_sqes = 2,
    .sqpoll_syscalls = 0.1,
    .sqpoll_cpu = 0.8,
    .growth = 0.05,
    .switch_share = 0.25,
    .sleep_share = 0.25,
};

#define T rpt_claim_thresholds

static const struct {
	const char *claim, *measured_as;
} claims[RPT_CLAIMS] = {
    {"epoll needs ~2 syscalls per I/O event (epoll_wait + read/write)",
     "syscalls per request, by name, for the epoll model"},
    {"io_uring needs 1 syscall per *batch*",
     "io_uring_enter calls per request, and SQEs/CQEs per io_uring_enter"},
    {"SQPOLL reaches near-zero syscalls in steady state",
     "syscalls per request for uring-sqpoll (with and without CQ busy-polling)"},
    {"SQPOLL burns a CPU", "CPU-µs per request including the kernel's iou-sqp thread"},
    {"io_uring's savings grow with connection count",
     "every figure above across a connection sweep (1 … 10,000)"},
    {"worker < epoll < io_uring, all behind nginx/haproxy (TinyGate)",
     "proxy throughput and p99 for the four models next to nginx and haproxy"},
    {"every syscall is a costly switch between user and kernel mode",
     "the null-syscall cost on this host and the share of CPU per request that syscall entry "
     "and exit take, per model"},
    {"every syscall is a costly switch: the sleep/wake switch (a syscall that blocks)",
     "the cost of a sleep and wake on this host (same CPU and across CPUs) and the share of CPU "
     "per request that the server's sleeps and wakes take, per model"},
};

/* Claim i's rule, its thresholds printed from rpt_claim_thresholds. */
static void rule_text(int i, char *buf, size_t len)
{
	switch (i) {
	case 0:
		snprintf(
		    buf, len,
		    "In echo one request is one message read and written back: an epoll server "
		    "makes one read and one write per request plus its share of epoll_wait, so "
		    "the claim predicts 2 (epoll_wait shared by many ready connections) to 3 (one "
		    "epoll_wait per request) server syscalls per request. A proxied request has "
		    "two readiness events (client request, origin response), so proxy figures "
		    "are halved first (used only when there are no echo cells). Agrees when "
		    "every epoll cell lies in [%g, %g].",
		    T.epoll_lo, T.epoll_hi);
		break;
	case 1:
		snprintf(
		    buf, len,
		    "Agrees when, in every uring (non-SQPOLL) cell, io_uring_enter is at least "
		    "%g%% of the server's syscalls, and at the highest connection count (which "
		    "must be %d or more) each io_uring_enter submits at least %g SQEs (a batch).",
		    T.enter_share * 100, T.batch_conns, T.batch_sqes);
		break;
	case 2:
		snprintf(buf, len,
			 "Near zero means fewer than %g server syscalls per request (one per %g "
			 "requests). Agrees when every uring-sqpoll* cell is below %g.",
			 T.sqpoll_syscalls, 1 / T.sqpoll_syscalls, T.sqpoll_syscalls);
		break;
	case 3:
		snprintf(buf, len,
			 "The SQPOLL thread's share of one CPU is its CPU µs per request × "
			 "requests/s ÷ 10^6. Agrees when it is at least %g in every uring-sqpoll* "
			 "cell.",
			 T.sqpoll_cpu);
		break;
	case 4:
		snprintf(
		    buf, len,
		    "Saving = 1 − (uring syscalls per request ÷ epoll syscalls per request) at "
		    "each connection count measured for both. Agrees when the saving at the "
		    "highest count exceeds the saving at the lowest by more than %g (%g "
		    "percentage points).",
		    T.growth, T.growth * 100);
		break;
	case 5:
		snprintf(
		    buf, len, "%s",
		    "On proxy cells, at each connection count where all six ran: requests/s must "
		    "rank blocking < epoll < uring, and each of blocking, epoll, uring and "
		    "uring-sqpoll must be below both nginx and haproxy. Each \"below\" is decided "
		    "by the verdict rule: the 95% CI of the ratio of the two cells' requests/s "
		    "(paired by round where they shared rounds) excludes no change; a CI that "
		    "spans it, or a client-bound cell whose runs are not paired, leaves that pair, "
		    "and so the claim, cannot tell. Agrees when every pair holds at every such "
		    "count; disagrees when a pair is clearly reversed; p99 is "
		    "shown, not judged. When the run has a model whose name starts with "
		    "\"tinygate\" (TinyGate itself as a --server, docs/tinygate.md), each such "
		    "model is also set against nginx and haproxy by the same rule at every count "
		    "where it and a peer ran; that is reported beside the verdict and does not "
		    "change it.");
		break;
	case 6:
		snprintf(
		    buf, len,
		    "The null-syscall cost is host.null_syscall_ns.unprobed (getppid on the "
		    "first server CPU, probes detached). A model's overhead share is "
		    "syscall_overhead_share: its median server syscalls per request (probed "
		    "runs) × that cost ÷ its median CPU per request (user + system + SQPOLL "
		    "thread, unprobed runs). Agrees when the epoll model's share exceeds %g at "
		    "one or more connection counts; disagrees when every epoll cell's share is "
		    "%g or less.",
		    T.switch_share, T.switch_share);
		break;
	default:
		snprintf(
		    buf, len,
		    "The costs are host.wakeup_cpu_us.same_cpu and .cross_cpu, unprobed (a pipe "
		    "ping-pong between two threads pinned to the first server CPU and to a client "
		    "CPU, docs/time.md). A model's wakeup share is wakeup_share: its median server "
		    "voluntary context switches per request (probed runs) × the same-CPU cost, "
		    "plus the median of those that left the CPU idle × the cross-CPU cost's excess "
		    "over it, ÷ its median CPU per request (user + system + SQPOLL thread, "
		    "unprobed runs). Agrees when the epoll or the blocking model's share exceeds "
		    "%g at one or more connection counts; disagrees when every epoll and blocking "
		    "cell's share is %g or less.",
		    T.sleep_share, T.sleep_share);
	}
}

const char *rpt_verdict_text(enum rpt_verdict v)
{
	return v == RPT_AGREES ? "agrees" : v == RPT_DISAGREES ? "disagrees" : "cannot tell";
}

static void verdict(struct rpt_claim *c, enum rpt_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verdict(struct rpt_claim *c, enum rpt_verdict v, const char *fmt, ...)
{
	va_list ap;

	c->verdict = v;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* The group of a workload that has cells of this model, or NULL. */
static const struct rpt_group *group_with(const struct rpt_group *g, int ng, const char *workload,
					  const char *model)
{
	for (int i = 0; i < ng; i++) {
		if (strcmp(g[i].workload, workload))
			continue;
		for (int m = 0; m < g[i].nmodels; m++)
			if (!strncmp(g[i].models[m], model, strlen(model)))
				return &g[i];
	}
	return NULL;
}

static json_t *ok_cell(const struct rpt_doc *d, const struct rpt_group *g, const char *model,
		       long long conns)
{
	json_t *c = rpt_find_cell(d, g->workload, g->size, g->rate, model, conns);

	return c && doc_cell_ok(c) ? c : NULL;
}

static bool probes_off(const struct rpt_doc *d)
{
	return !strcmp(doc_str(d->root, "probes.mode"), "off");
}

/* The cell's syscalls per request of any of names (read, recvfrom, ...), summed. */
static double calls_of(json_t *cell, const char *const *names)
{
	double sum = 0, v;

	for (; *names; names++)
		if (fig_cell_key(cell, &figs[FIG_SYSCALLS_BY_NAME], *names, &v))
			sum += v;
	return sum;
}

static void claim_epoll(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			struct rpt_claim *c)
{
	static const char *const reads[] = {"read", "readv", "recvfrom", "recvmsg", NULL};
	static const char *const writes[] = {"write", "writev", "sendto", "sendmsg", NULL};
	const struct rpt_group *gr = group_with(g, ng, "echo", "epoll");
	double div = 1, v, lo = 1e300, hi = -1;
	int n = 0;

	if (!gr) {
		gr = group_with(g, ng, "proxy", "epoll");
		div = 2;
	}
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL, "no epoll cell in this run");
	for (int k = 0; k < gr->nconns; k++) {
		json_t *cell = ok_cell(d, gr, "epoll", gr->conns[k]);
		double ew = 0, rd = 0, wr = 0;

		if (!cell || !fig_cell(cell, &figs[FIG_SYSCALLS], &v))
			continue;
		v /= div;
		fig_cell_key(cell, &figs[FIG_SYSCALLS_BY_NAME], "epoll_wait", &ew);
		rd = calls_of(cell, reads);
		wr = calls_of(cell, writes);
		text_cat(c->figure, sizeof(c->figure),
			 "%s%.2f at %lld conns (epoll_wait %.2f, reads %.2f, writes %.2f)",
			 n ? "; " : "", v, gr->conns[k], ew / div, rd / div, wr / div);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		n++;
	}
	if (!n)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       probes_off(d) ? "probes were off"
					     : "no epoll cell with syscall counts");
	if (div == 2)
		text_cat(c->figure, sizeof(c->figure), " (proxy, per readiness event)");
	if (lo >= T.epoll_lo && hi <= T.epoll_hi)
		verdict(c, RPT_AGREES, "all %d epoll cells within [%g, %g]", n, T.epoll_lo,
			T.epoll_hi);
	else
		verdict(c, RPT_DISAGREES, "epoll ranges %.2f to %.2f, outside [%g, %g]", lo, hi,
			T.epoll_lo, T.epoll_hi);
}

static void claim_batch(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			struct rpt_claim *c)
{
	const struct rpt_group *gr = group_with(g, ng, "echo", "uring");
	double tot, ent, spe = 0, last_spe = -1, worst = 2;
	long long last = -1;
	int n = 0;

	if (!gr)
		gr = group_with(g, ng, "proxy", "uring");
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL, "no uring cell in this run");
	for (int k = 0; k < gr->nconns; k++) {
		json_t *cell = ok_cell(d, gr, "uring", gr->conns[k]);

		if (!cell || !fig_cell(cell, &figs[FIG_SYSCALLS], &tot) ||
		    !fig_cell(cell, &figs[FIG_ENTER_CALLS], &ent))
			continue;
		fig_cell(cell, &figs[FIG_SQES_PER_ENTER], &spe);
		text_cat(
		    c->figure, sizeof(c->figure),
		    "%s%lld conns: %.3f io_uring_enter of %.3f syscalls/request, %.1f SQEs per "
		    "enter",
		    n ? "; " : "", gr->conns[k], ent, tot, spe);
		if (tot > 0 && ent / tot < worst)
			worst = ent / tot;
		last = gr->conns[k];
		last_spe = spe;
		n++;
	}
	if (!n)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       probes_off(d) ? "probes were off"
					     : "no uring cell with io_uring counts");
	if (worst < T.enter_share)
		return verdict(c, RPT_DISAGREES,
			       "io_uring_enter is only %.0f%% of syscalls in a cell", worst * 100);
	if (last < T.batch_conns)
		return verdict(c, RPT_CANNOT_TELL,
			       "only %lld connection(s) measured: no batch can form", last);
	if (last_spe >= T.batch_sqes)
		return verdict(c, RPT_AGREES, "%.1f SQEs per io_uring_enter at %lld connections",
			       last_spe, last);
	verdict(c, RPT_DISAGREES, "only %.1f SQEs per io_uring_enter at %lld connections", last_spe,
		last);
}

/* Claims 3 and 4 over every SQPOLL model (lib/models.h: with or without CQ busy-polling). */
static void claim_sqpoll(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			 struct rpt_claim *c, bool cpu)
{
	int n = 0, cells = 0;
	bool bad = false;
	double worst = cpu ? 1e300 : -1;

	for (int i = 0; i < ng; i++) {
		for (int m = 0; m < g[i].nmodels; m++) {
			if (!models_find_with(g[i].models[m], MODEL_SQPOLL))
				continue;
			for (int k = 0; k < g[i].nconns; k++) {
				json_t *cell = ok_cell(d, &g[i], g[i].models[m], g[i].conns[k]);
				double v, us, rps;

				if (!cell)
					continue;
				cells++;
				if (!cpu) {
					if (!fig_cell(cell, &figs[FIG_SYSCALLS], &v))
						continue;
				} else if (!fig_cell(cell, &figs[FIG_CPU_SQPOLL], &us) ||
					   !fig_cell(cell, &figs[FIG_REQUESTS_PER_SEC], &rps)) {
					continue;
				} else {
					v = us * rps / 1e6;
				}
				text_cat(c->figure, sizeof(c->figure), "%s%s %s %lld conns: %.3f",
					 n ? "; " : "", g[i].workload, g[i].models[m],
					 g[i].conns[k], v);
				bad |= cpu ? v < T.sqpoll_cpu : v >= T.sqpoll_syscalls;
				worst = cpu ? (v < worst ? v : worst) : (v > worst ? v : worst);
				n++;
			}
		}
	}
	if (cpu && n)
		text_cat(c->figure, sizeof(c->figure),
			 " (share of one CPU used by the SQPOLL thread)");
	else if (n)
		text_cat(c->figure, sizeof(c->figure), " (server syscalls per request)");
	if (!cells)
		return verdict(c, RPT_CANNOT_TELL, "no uring-sqpoll cell ran in this run");
	if (!n)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       cpu ? "no SQPOLL thread CPU figure"
				   : (probes_off(d) ? "probes were off" : "no syscall counts"));
	if (cpu)
		verdict(c, bad ? RPT_DISAGREES : RPT_AGREES,
			"lowest SQPOLL thread share %.2f %s %g", worst,
			bad ? "<" : ">=", T.sqpoll_cpu);
	else
		verdict(c, bad ? RPT_DISAGREES : RPT_AGREES, "highest %.3f syscalls/request %s %g",
			worst, bad ? ">=" : "<", T.sqpoll_syscalls);
}

/* The overhead shares of epoll and uring at count conns, as a sentence; "" without both. */
static void share_sentence(const struct rpt_doc *d, const struct rpt_group *gr, long long conns,
			   char *buf, size_t len)
{
	json_t *e = ok_cell(d, gr, "epoll", conns), *u = ok_cell(d, gr, "uring", conns);
	double es, us;

	if (e && u && fig_cell(e, &figs[FIG_SYSCALL_OVERHEAD_SHARE], &es) &&
	    fig_cell(u, &figs[FIG_SYSCALL_OVERHEAD_SHARE], &us))
		snprintf(buf, len,
			 " Syscall entry/exit is %.1f%% of epoll's CPU per request and %.1f%% of "
			 "io_uring's at %lld connections: the part fewer syscalls can save.",
			 es * 100, us * 100, conns);
}

static void claim_growth(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			 struct rpt_claim *c)
{
	const struct rpt_group *gr = group_with(g, ng, "echo", "uring");
	double first = 0, last = 0;
	long long fc = 0, lc = 0;
	char shares[200] = "";
	int n = 0;

	if (!gr || !group_with(g, ng, "echo", "epoll"))
		gr = group_with(g, ng, "proxy", "uring");
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL, "no uring cell in this run");
	for (int k = 0; k < gr->nconns; k++) {
		json_t *u = ok_cell(d, gr, "uring", gr->conns[k]);
		json_t *e = ok_cell(d, gr, "epoll", gr->conns[k]);
		double us, es, s;

		if (!u || !e || !fig_cell(u, &figs[FIG_SYSCALLS], &us) ||
		    !fig_cell(e, &figs[FIG_SYSCALLS], &es) || es <= 0)
			continue;
		s = 1 - us / es;
		text_cat(c->figure, sizeof(c->figure), "%ssaving %.2f at %lld conns", n ? "; " : "",
			 s, gr->conns[k]);
		if (!n)
			first = s, fc = gr->conns[k];
		last = s, lc = gr->conns[k];
		n++;
	}
	if (!n)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       probes_off(d)
				   ? "probes were off"
				   : "no connection count with both epoll and uring counts");
	share_sentence(d, gr, lc, shares, sizeof(shares));
	if (n < 2)
		return verdict(c, RPT_CANNOT_TELL, "only one connection count (%lld) has both.%s",
			       fc, shares);
	if (last - first > T.growth)
		verdict(c, RPT_AGREES,
			"saving grows from %.2f at %lld to %.2f at %lld connections.%s", first, fc,
			last, lc, shares);
	else
		verdict(c, RPT_DISAGREES, "saving %.2f at %lld vs %.2f at %lld connections.%s",
			first, fc, last, lc, shares);
}

/* "epoll 24000 (95% CI 23800–24200)" */
static void cell_text(const struct verdict_side *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s %.0f (%s %.0f–%.0f%s)", s->model, s->median,
		 s->exact ? "95% CI" : "min–max", s->lo, s->hi,
		 s->client_bound ? ", client-bound" : "");
}

/*
 * One "lo below hi" of the TinyGate order by the verdict rule: 1 holds, -1 is
 * clearly reversed, 0 cannot tell; the first reversed and the first undecided
 * pair are described into bad and open.
 */
static int below(const json_t *doc, json_t *lo, json_t *hi, long long conns, char *bad, char *open,
		 size_t len)
{
	struct verdict v;
	char a[160], b[160];

	verdict_pair(doc, lo, hi, &v);
	cell_text(&v.best, a, sizeof(a));
	cell_text(&v.runner_up, b, sizeof(b));
	if (v.kind == VERDICT_WINNER && !strcmp(v.winner, doc_str(hi, "model")))
		return 1;
	if (v.kind == VERDICT_WINNER) {
		if (!*bad)
			text_cat(bad, len, "at %lld connections %s is above %s, not below", conns,
				 a, b);
		return -1;
	}
	if (!*open)
		text_cat(open, len, "at %lld connections %s vs %s: %s; rule: %s", conns, a, b,
			 verdict_kind_text(v.kind), v.rule);
	return 0;
}

/*
 * TinyGate itself (a --server model named tinygate*) against nginx and haproxy,
 * by the same rule, appended to the claim's figure and why; the verdict stays
 * the six models'.
 */
static void tinygate_too(const struct rpt_doc *d, const struct rpt_group *gr, struct rpt_claim *c)
{
	static const char *const peers[] = {"nginx", "haproxy"};

	for (int m = 0; m < gr->nmodels; m++) {
		const char *tg = gr->models[m];
		char fails[300] = "", undecided[300] = "";
		int n = 0, bad = 0, open = 0;

		if (strncmp(tg, "tinygate", 8))
			continue;
		for (int k = 0; k < gr->nconns; k++) {
			json_t *t = ok_cell(d, gr, tg, gr->conns[k]);
			double rps, p99;
			int worst = 1, npeers = 0;

			if (!t || !fig_cell(t, &figs[FIG_REQUESTS_PER_SEC], &rps))
				continue;
			if (!fig_cell(t, &figs[FIG_LATENCY_P99], &p99))
				p99 = -1;
			for (int p = 0; p < 2; p++) {
				json_t *pc = ok_cell(d, gr, peers[p], gr->conns[k]);
				double prps;
				int r;

				if (!pc || !fig_cell(pc, &figs[FIG_REQUESTS_PER_SEC], &prps))
					continue;
				if (!npeers++)
					text_cat(c->figure, sizeof(c->figure),
						 "%s%s %lld conns req/s (p99 µs): %.0f (%.0f)",
						 c->figure[0] ? "; " : "", tg, gr->conns[k], rps,
						 p99);
				text_cat(c->figure, sizeof(c->figure), " vs %s %.0f", peers[p],
					 prps);
				r = below(d->root, t, pc, gr->conns[k], fails, undecided,
					  sizeof(fails));
				worst = r < worst ? r : worst;
			}
			if (!npeers)
				continue;
			bad += worst < 0;
			open += worst == 0;
			n++;
		}
		if (c->why[0] && c->why[strlen(c->why) - 1] != '.')
			text_cat(c->why, sizeof(c->why), ".");
		if (!n)
			text_cat(c->why, sizeof(c->why), " %s: no count where it and a peer ran.",
				 tg);
		else if (bad)
			text_cat(c->why, sizeof(c->why),
				 " %s: not behind the peers at %d of %d counts: %s.", tg, bad, n,
				 fails);
		else if (open)
			text_cat(c->why, sizeof(c->why), " %s: undecided at %d of %d counts: %s.",
				 tg, open, n, undecided);
		else
			text_cat(c->why, sizeof(c->why),
				 " %s: behind nginx and haproxy at %d of %d counts.", tg, n, n);
	}
}

/* The six models' order at every count where all six ran. */
static void claim_order(const struct rpt_doc *d, const struct rpt_group *gr, struct rpt_claim *c)
{
	static const char *const order[] = {"blocking",	    "epoll", "uring",
					    "uring-sqpoll", "nginx", "haproxy"};
	int n = 0, bad = 0, open = 0;
	char fails[400] = "", undecided[400] = "";

	for (int k = 0; k < gr->nconns; k++) {
		json_t *cell[6];
		double rps[6], p99[6];
		bool all = true;
		int worst = 1;

		for (int m = 0; m < 6 && all; m++) {
			cell[m] = ok_cell(d, gr, order[m], gr->conns[k]);
			all = cell[m] && fig_cell(cell[m], &figs[FIG_REQUESTS_PER_SEC], &rps[m]);
			if (all && !fig_cell(cell[m], &figs[FIG_LATENCY_P99], &p99[m]))
				p99[m] = -1;
		}
		if (!all)
			continue;
		text_cat(c->figure, sizeof(c->figure),
			 "%s%lld conns req/s (p99 µs):", n ? "; " : "", gr->conns[k]);
		for (int m = 0; m < 6; m++)
			text_cat(c->figure, sizeof(c->figure), " %s %.0f (%.0f)%s",
				 rpt_model_label(order[m]), rps[m], p99[m],
				 verdict_client_bound(cell[m]) ? " client-bound" : "");
		/* blocking < epoll < uring, and each of ours below each peer */
		for (int m = 0; m < 2; m++) {
			int r = below(d->root, cell[m], cell[m + 1], gr->conns[k], fails, undecided,
				      sizeof(fails));

			worst = r < worst ? r : worst;
		}
		for (int m = 0; m < 4; m++)
			for (int p = 4; p < 6; p++) {
				int r = below(d->root, cell[m], cell[p], gr->conns[k], fails,
					      undecided, sizeof(fails));

				worst = r < worst ? r : worst;
			}
		bad += worst < 0;
		open += worst == 0;
		n++;
	}
	if (!n)
		return verdict(c, RPT_CANNOT_TELL,
			       "no connection count where all six proxy models ran");
	if (bad)
		verdict(c, RPT_DISAGREES, "the order fails at %d of %d counts: %s", bad, n, fails);
	else if (open)
		verdict(c, RPT_CANNOT_TELL, "undecided at %d of %d counts: %s", open, n, undecided);
	else
		verdict(c, RPT_AGREES,
			"the order holds at all %d connection counts: every pair's CIs are clear "
			"and no deciding cell is client-bound",
			n);
}

static void claim_tinygate(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			   struct rpt_claim *c)
{
	const struct rpt_group *gr = NULL;

	for (int i = 0; i < ng && !gr; i++)
		if (!strcmp(g[i].workload, "proxy"))
			gr = &g[i];
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL,
			       "no proxy cells in this run (the tinygate suite)");
	claim_order(d, gr, c);
	tinygate_too(d, gr, c);
}

/* The lowest share of each model over the group's counts ("epoll 0.05 at 10; ..."). */
static void claim_switch(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			 struct rpt_claim *c)
{
	const struct rpt_group *gr = group_with(g, ng, "echo", "epoll");
	double ns, best = -1, v;
	long long best_at = 0;
	int n = 0;

	if (!gr)
		gr = group_with(g, ng, "proxy", "epoll");
	if (!doc_num(d->root, "host.null_syscall_ns.unprobed", &ns))
		return verdict(c, RPT_CANNOT_TELL, "no null-syscall cost in this file");
	text_cat(c->figure, sizeof(c->figure), "null syscall %.0f ns", ns);
	if (doc_num(d->root, "host.null_syscall_ns.probed", &v))
		text_cat(c->figure, sizeof(c->figure), " (%.0f ns probed)", v);
	for (int m = 0; gr && m < gr->nmodels; m++) {
		const char *model = gr->models[m];
		bool first = true;

		for (int k = 0; k < gr->nconns; k++) {
			json_t *cell = ok_cell(d, gr, model, gr->conns[k]);

			if (!cell || !fig_cell(cell, &figs[FIG_SYSCALL_OVERHEAD_SHARE], &v))
				continue;
			text_cat(c->figure, sizeof(c->figure), "%s%s %.3f at %lld",
				 first ? "; " : ", ", first ? rpt_model_label(model) : "", v,
				 gr->conns[k]);
			first = false;
			if (!strcmp(model, "epoll")) {
				n++;
				if (v > best)
					best = v, best_at = gr->conns[k];
			}
		}
	}
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL, "no epoll cell in this run");
	if (!n)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       probes_off(d) ? "probes were off" : "no epoll cell with the share");
	if (best > T.switch_share)
		verdict(c, RPT_AGREES,
			"syscall entry/exit is %.0f%% of epoll's CPU per request at %lld "
			"connections, above %g%%",
			best * 100, best_at, T.switch_share * 100);
	else
		verdict(c, RPT_DISAGREES,
			"syscall entry/exit is at most %.0f%% of epoll's CPU per request (at %lld "
			"connections), not above %g%%: the work inside the syscalls costs more "
			"than the switch",
			best * 100, best_at, T.switch_share * 100);
}

/* The sleep/wake switch: wakeup_share of the epoll and blocking cells ("epoll 0.70 at 1"). */
static void claim_sleep(const struct rpt_doc *d, const struct rpt_group *g, int ng,
			struct rpt_claim *c)
{
	static const char *const judged[] = {"epoll", "blocking"};
	const struct rpt_group *gr = group_with(g, ng, "echo", "epoll");
	const char *best_model = NULL;
	double same, cross, best = -1, v;
	long long best_at = 0;

	if (!gr)
		gr = group_with(g, ng, "echo", "blocking");
	if (!gr)
		gr = group_with(g, ng, "proxy", "epoll");
	if (!gr)
		gr = group_with(g, ng, "proxy", "blocking");
	if (!doc_num(d->root, "host.wakeup_cpu_us.same_cpu.unprobed", &same))
		return verdict(c, RPT_CANNOT_TELL, "no sleep-and-wake cost in this file");
	text_cat(c->figure, sizeof(c->figure), "sleep and wake %.1f µs on one CPU", same);
	if (doc_num(d->root, "host.wakeup_cpu_us.cross_cpu.unprobed", &cross))
		text_cat(c->figure, sizeof(c->figure), ", %.1f µs across CPUs", cross);
	for (int m = 0; gr && m < gr->nmodels; m++) {
		const char *model = gr->models[m];
		bool first = true;

		for (int k = 0; k < gr->nconns; k++) {
			json_t *cell = ok_cell(d, gr, model, gr->conns[k]);

			if (!cell || !fig_cell(cell, &figs[FIG_WAKEUP_SHARE], &v))
				continue;
			text_cat(c->figure, sizeof(c->figure), "%s%s %.3f at %lld",
				 first ? "; " : ", ", first ? rpt_model_label(model) : "", v,
				 gr->conns[k]);
			first = false;
			for (size_t j = 0; j < sizeof(judged) / sizeof(judged[0]); j++)
				if (!strcmp(model, judged[j]) && v > best)
					best = v, best_at = gr->conns[k], best_model = model;
		}
	}
	if (!gr)
		return verdict(c, RPT_CANNOT_TELL, "no epoll or blocking cell in this run");
	if (!best_model)
		return verdict(c, RPT_CANNOT_TELL, "%s",
			       probes_off(d) ? "probes were off"
					     : "no epoll or blocking cell with the share");
	if (best > T.sleep_share)
		verdict(c, RPT_AGREES,
			"sleeping and waking take %.0f%% of %s's CPU per request at %lld "
			"connections, above %g%%",
			best * 100, rpt_model_label(best_model), best_at, T.sleep_share * 100);
	else
		verdict(c, RPT_DISAGREES,
			"sleeping and waking take at most %.0f%% of a request's CPU (%s at %lld "
			"connections), not above %g%%",
			best * 100, rpt_model_label(best_model), best_at, T.sleep_share * 100);
}

void rpt_claims(const struct rpt_doc *doc, struct rpt_claim out[RPT_CLAIMS])
{
	struct rpt_group g[RPT_MAX_GROUPS];
	int ng = rpt_groups(doc, g, RPT_MAX_GROUPS), kept = 0;

	/* The claims are about the closed loop and --rate cells, not the equal-load phase. */
	for (int i = 0; i < ng; i++)
		if (g[i].rate != RPT_RATE_EQUAL)
			g[kept++] = g[i];
	ng = kept;
	for (int i = 0; i < RPT_CLAIMS; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].claim = claims[i].claim;
		out[i].measured_as = claims[i].measured_as;
		rule_text(i, out[i].rule, sizeof(out[i].rule));
	}
	claim_epoll(doc, g, ng, &out[0]);
	claim_batch(doc, g, ng, &out[1]);
	claim_sqpoll(doc, g, ng, &out[2], false);
	claim_sqpoll(doc, g, ng, &out[3], true);
	claim_growth(doc, g, ng, &out[4]);
	claim_tinygate(doc, g, ng, &out[5]);
	claim_switch(doc, g, ng, &out[6]);
	claim_sleep(doc, g, ng, &out[7]);
	for (int i = 0; i < RPT_CLAIMS; i++)
		if (!out[i].figure[0])
			snprintf(out[i].figure, sizeof(out[i].figure), "—");
}
