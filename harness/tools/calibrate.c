/*
 * `ringside calibrate`: ringside's own tools against the standard ones on one pinned
 * origin. ringside-load (each engine) against wrk driving ringside-origin, and
 * ringside-origin against nginx driven by wrk, in rotating rounds: requests/s, client
 * and server CPU per request, medians, and bootstrap 95% CIs of the ratios. The
 * open-loop arms put ringside-load --rate beside its closed loop: client CPU per
 * request open over closed, and the schedule lag, at shares of the closed-loop rate.
 * Children are spawned and stopped by sys/proc.c; nginx is configured by run/peers.c.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/calibrate.h"
#include "sys/tmpdir.h"
#include "sys/tool.h"
#include "sys/ptree.h"
#include "cmd.h"
#include "core/stats.h"
#include "sys/hostinfo.h"
#include "fsio.h"
#include "log.h"
#include "cpus.h"
#include "opts.h"
#include "text.h"
#include "utc.h"

#define CAL_CI_ITERS	 2000
#define CAL_CI_SEED	 1
#define CAL_BUSY_WARN	 0.1
#define CAL_BUSY_SPAN_MS 300

static const char cal_usage[] =
    "usage: ringside calibrate [options]\n"
    "\n"
    "Measures ringside's own tools against the standard ones, side by side: ringside-load\n"
    "(each engine) against wrk, all driving the same pinned ringside-origin, and\n"
    "ringside-origin against nginx (one worker per server CPU), driven by the same wrk.\n"
    "Each round runs every pairing once, the order rotating from round to round; each\n"
    "measured run follows a discarded warmup run of the same client. Prints each run,\n"
    "the medians and the ratios with a 95% CI, and writes the JSON (docs/calibrate.md).\n"
    "\n"
    "options:\n"
    "  --duration S          measured seconds per run (default 5)\n"
    "  --warmup S            discarded run before each measured one, 0 = none (default 1)\n"
    "  --connections N       connections of every client (default 100)\n"
    "  --rounds N            rounds, 1..100 (default 3)\n"
    "  --server-cpus LIST    CPUs of ringside-origin and nginx (default 0)\n"
    "  --client-cpus LIST    CPUs of the clients, one thread each (default: the others)\n"
    "  --open-loop PCTS      open-loop runs of ringside-load (each engine) at these % of\n"
    "                        its closed-loop rate, up to 4, or none (default 25,50,80)\n"
    "  --out FILE            the JSON file, - for stdout\n"
    "                        (default results/calibrate-<UTC time>.json)\n"
    "  --json                the JSON document on stdout instead of the text lines\n"
    "                        (then no file unless --out is given)\n"
    "  -h, --help            this text\n"
    "\n"
    "A missing wrk or nginx skips the comparisons that need it (exit 0 if anything was\n"
    "measured). Traffic goes to 127.0.0.1 only.\n"
    "\n"
    "examples:\n"
    "  ringside calibrate\n"
    "  ringside calibrate --duration 10 --rounds 5 --connections 50\n"
    "  ringside calibrate --duration 1 --rounds 1 --json | jq .ratios\n"
    "  ringside calibrate --open-loop 50 --rounds 5 --json | jq .open_loop\n";

/* A ratio of one figure between two arms; its name is what the text line shows. */
struct cal_ratio {
	const char *figure; /* "requests_per_sec", ... */
	const char *prefix; /* "", "cpu ", "server cpu " */
	int num, den;
};
static const struct cal_ratio cal_ratios[] = {
    {"requests_per_sec", "", ARM_UURING, ARM_WRK},
    {"requests_per_sec", "", ARM_UEPOLL, ARM_WRK},
    {"requests_per_sec", "", -1, ARM_NGINX}, /* -1: the arm driving nginx, on the origin */
    {"client_cpu_us_per_request", "cpu ", ARM_UURING, ARM_WRK},
    {"client_cpu_us_per_request", "cpu ", ARM_UEPOLL, ARM_WRK},
    {"server_cpu_us_per_request", "server cpu ", -1, ARM_NGINX},
};

/* ---- options ---- */

enum {
	OPT_DURATION = 256,
	OPT_WARMUP,
	OPT_CONNS,
	OPT_ROUNDS,
	OPT_SCPUS,
	OPT_CCPUS,
	OPT_OUT,
	OPT_JSON,
	OPT_OPEN
};

static const struct option cal_longopts[] = {
    {"duration", required_argument, NULL, OPT_DURATION},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"connections", required_argument, NULL, OPT_CONNS},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"server-cpus", required_argument, NULL, OPT_SCPUS},
    {"client-cpus", required_argument, NULL, OPT_CCPUS},
    {"out", required_argument, NULL, OPT_OUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"open-loop", required_argument, NULL, OPT_OPEN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --open-loop: "none", or up to CAL_OPEN_MAX rising percentages, 1 to 100. */
static void parse_open(struct cal_opts *o, const char *arg)
{
	unsigned long v[CAL_OPEN_MAX];
	int n = 0;

	o->nopen = 0;
	if (!strcmp(arg, "none"))
		return;
	if (parse_uint_list(arg, v, CAL_OPEN_MAX, &n, 1, 100))
		usage_error("invalid --open-loop '%s': expected none or up to %d percentages "
			    "from 1 to 100, e.g. 25,50,80",
			    arg, CAL_OPEN_MAX);
	for (int i = 0; i < n; i++)
		o->open_pct[o->nopen++] = (double)v[i];
}

static void cal_parse(struct cal_opts *o, int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	/* The harness's layout: the server on CPU 0, the clients on the rest. */
	CPU_ZERO(&o->server_cpus);
	CPU_ZERO(&o->client_cpus);
	CPU_SET(0, &o->server_cpus);
	for (long i = 1; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &o->client_cpus);
	if (CPU_COUNT(&o->client_cpus) == 0)
		CPU_SET(0, &o->client_cpus);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", cal_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DURATION:
			o->duration_s = opt_double("duration", optarg, 0.1, 3600);
			break;
		case OPT_WARMUP:
			o->warmup_s = opt_double("warmup", optarg, 0, 600);
			break;
		case OPT_CONNS:
			o->conns = opt_uint("connections", optarg, 1, 10000);
			break;
		case OPT_ROUNDS:
			o->rounds = opt_uint("rounds", optarg, 1, CAL_MAX_ROUNDS);
			break;
		case OPT_SCPUS:
			opt_cpus("server-cpus", optarg, &o->server_cpus);
			break;
		case OPT_CCPUS:
			opt_cpus("client-cpus", optarg, &o->client_cpus);
			break;
		case OPT_OUT:
			if (!*optarg || strlen(optarg) > PATH_MAX - 64)
				usage_error("invalid --out '%s'", optarg);
			o->out = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_OPEN:
			parse_open(o, optarg);
			break;
		case 'h':
			fputs(cal_usage, stdout);
			exit(RS_EXIT_OK);
		case ':':
			usage_error("option %s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

/* ---- rounds ---- */

static json_t *num(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

static void text_row(const struct cal *k, int round, const struct cal_arm *a,
		     const struct cal_run *r)
{
	if (k->o.json)
		return;
	printf("%-5d %-24s %-15s %10.0f %12.2f %12.2f %8.2f %8.2f %8.2f", round, a->label,
	       cal_server_names[a->server], r->rps, r->ccpu_us, r->scpu_us, r->util, r->ckernel,
	       r->sutil);
	if (a->rate > 0)
		printf("  lag-p99 %.0f us, %.0f skipped", r->lag_p99, r->skipped);
	printf("%s%s\n", r->note[0] ? "  !! " : "", r->note);
	fflush(stdout);
}

/* One round: every arm that is on, in an order rotated by the round number. */
static int run_round(struct cal *k, int round)
{
	json_t *runs = json_array(), *order = json_array();
	int on[CAL_ARMS], non = 0;

	for (int i = 0; i < CAL_ARMS; i++)
		if (k->arm[i].on)
			on[non++] = i;
	json_array_append_new(k->rounds, json_pack("{s:i,s:o,s:o}", "round", round + 1, "order",
						   order, "runs", runs));
	for (int j = 0; j < non; j++) {
		struct cal_arm *a = &k->arm[on[(j + round) % non]];
		struct cal_run r;

		json_array_append_new(order, json_string(a->key));
		if (k->o.warmup_s > 0 && cal_run_client(k, a, k->o.warmup_s, &r))
			return -1;
		if (cal_run_client(k, a, k->o.duration_s, &r))
			return -1;
		text_row(k, round + 1, a, &r);
		if (r.ok) {
			a->rps[a->n] = r.rps;
			a->ccpu[a->n] = r.ccpu_us;
			a->scpu[a->n] = r.scpu_us;
			a->ckern[a->n] = r.ckernel;
			a->sutil[a->n] = r.sutil;
			a->lag[a->n] = r.lag_p99;
			a->skipped += r.skipped;
			a->n++;
		} else {
			k->marked++;
			LOG_WARN("round %d, %s: %s (left out of the medians)", round + 1, a->key,
				 r.note);
		}
		json_array_append_new(
		    runs,
		    json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:f,s:b,s:o}", "key",
			      a->key, "client", a->label, "server", cal_server_names[a->server],
			      "requests_per_sec", num(r.rps, r.requests > 0), "requests",
			      json_integer((json_int_t)r.requests), "client_cpu_us_per_request",
			      num(r.ccpu_us, r.requests > 0), "server_cpu_us_per_request",
			      num(r.scpu_us, r.requests > 0), "client_cpu_utilisation",
			      num(r.util, r.requests > 0), "client_kernel_share",
			      num(r.ckernel, r.requests > 0), "server_cpu_utilisation",
			      num(r.sutil, r.requests > 0), "errors",
			      json_integer((json_int_t)r.errors), "wall_s", r.wall_s, "ok", r.ok,
			      "note", r.note[0] ? json_string(r.note) : json_null()));
		if (a->rate > 0) {
			json_t *last = json_array_get(runs, json_array_size(runs) - 1);

			json_object_set_new(last, "rate", json_real(a->rate));
			json_object_set_new(last, "schedule_lag_p99_us",
					    num(r.lag_p99, r.requests > 0));
			json_object_set_new(last, "skipped", json_integer((json_int_t)r.skipped));
		}
	}
	return 0;
}

/* ---- results ---- */

/* {median, min, max, n, ci95, ci95_kind}, the shape of the results document's figures. */
static json_t *figure(const double *v, int n)
{
	double tmp[CAL_MAX_ROUNDS];
	struct stats_sum s;

	memcpy(tmp, v, sizeof(*v) * (size_t)n);
	stats_summarise(tmp, n, &s);
	return json_pack("{s:o,s:o,s:o,s:i,s:o,s:s}", "median", num(s.median, n), "min",
			 num(s.min, n), "max", num(s.max, n), "n", n, "ci95",
			 n ? json_pack("[f,f]", s.ci_lo, s.ci_hi) : json_null(), "ci95_kind",
			 s.ci_exact ? "order-statistic" : "range");
}

/* The median of v[0..n) (v is left as it is). */
static double median_of(const double *v, int n)
{
	double tmp[CAL_MAX_ROUNDS];

	memcpy(tmp, v, sizeof(*v) * (size_t)n);
	return stats_median(tmp, n);
}

static const double *arm_values(const struct cal_arm *a, const char *figure_name)
{
	if (!strcmp(figure_name, "requests_per_sec"))
		return a->rps;
	return !strcmp(figure_name, "client_cpu_us_per_request") ? a->ccpu : a->scpu;
}

/* The ratio's name as the text line shows it: "ringside-load(uring)/wrk". */
static void ratio_name(const struct cal *k, const struct cal_ratio *q, char *buf, size_t len)
{
	const struct cal_arm *num_arm = &k->arm[q->num < 0 ? k->driver : q->num];

	if (q->num < 0)
		snprintf(buf, len, "ringside-origin/nginx");
	else
		snprintf(buf, len, "%s/%s", num_arm->label, k->arm[q->den].label);
}

/* One ratio into ratios.FIGURE.NAME and, in text mode, its line. */
static void put_ratio(const struct cal *k, const struct cal_ratio *q, json_t *ratios)
{
	const struct cal_arm *a = &k->arm[q->num < 0 ? k->driver : q->num], *b = &k->arm[q->den];
	json_t *fig = json_object_get(ratios, q->figure);
	char name[96], why[240] = "";
	double ratio, lo, hi;

	ratio_name(k, q, name, sizeof(name));
	if (!fig)
		json_object_set_new(ratios, q->figure, fig = json_object());
	if (!a->on || !b->on)
		snprintf(why, sizeof(why), "%s", !a->on ? a->why : b->why);
	else if (!stats_ratio_ci(arm_values(b, q->figure), b->n, arm_values(a, q->figure), a->n,
				 CAL_CI_ITERS, CAL_CI_SEED, &ratio, &lo, &hi))
		snprintf(why, sizeof(why), "no good runs of %s", !a->n ? a->key : b->key);
	if (why[0]) {
		json_object_set_new(fig, name,
				    json_pack("{s:s,s:s,s:n,s:n,s:s,s:s}", "status", "skipped",
					      "reason", why, "ratio", "ci95", "numerator", a->key,
					      "denominator", b->key));
		if (!k->o.json)
			printf("%sratio %s skipped: %s\n", q->prefix, name, why);
		return;
	}
	json_object_set_new(fig, name,
			    json_pack("{s:s,s:n,s:f,s:[f,f],s:s,s:s,s:[i,i]}", "status", "ok",
				      "reason", "ratio", ratio, "ci95", lo, hi, "numerator", a->key,
				      "denominator", b->key, "n", a->n, b->n));
	if (!k->o.json)
		printf("%sratio %s = %.2f (95%% CI %.2f-%.2f)\n", q->prefix, name, ratio, lo, hi);
}

/* The fraction of all CPUs busy over the next CAL_BUSY_SPAN_MS (from /proc/stat). */
static double cpus_busy(void)
{
	unsigned long long v[2][8] = {{0}};
	double tot = 0, idle;

	for (int i = 0; i < 2; i++) {
		FILE *f = fopen("/proc/stat", "re");

		if (!f ||
		    fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[i][0], &v[i][1],
			   &v[i][2], &v[i][3], &v[i][4], &v[i][5], &v[i][6], &v[i][7]) != 8) {
			if (f)
				fclose(f);
			return NAN;
		}
		fclose(f);
		if (!i)
			poll(NULL, 0, CAL_BUSY_SPAN_MS);
	}
	for (int j = 0; j < 8; j++)
		tot += (double)(v[1][j] - v[0][j]);
	idle = (double)(v[1][3] - v[0][3] + v[1][4] - v[0][4]);
	return tot > 0 ? 1 - idle / tot : NAN;
}

static json_t *cal_config(const struct cal *k)
{
	char scpus[256], ccpus[256];
	json_t *arms = json_object(), *pcts = json_array();

	format_cpu_list(&k->o.server_cpus, scpus, sizeof(scpus));
	format_cpu_list(&k->o.client_cpus, ccpus, sizeof(ccpus));
	for (int i = 0; i < CAL_ARMS && k->arm[i].key[0]; i++)
		json_object_set_new(
		    arms, k->arm[i].key,
		    json_pack("{s:s,s:s,s:o,s:b,s:o}", "client", k->arm[i].label, "server",
			      cal_server_names[k->arm[i].server], "engine",
			      k->arm[i].engine ? json_string(k->arm[i].engine) : json_null(), "on",
			      k->arm[i].on, "reason",
			      k->arm[i].on ? json_null() : json_string(k->arm[i].why)));
	for (int i = 0; i < k->o.nopen; i++)
		json_array_append_new(pcts, json_real(k->o.open_pct[i]));
	return json_pack(
	    "{s:f,s:f,s:i,s:i,s:i,s:i,s:i,s:{s:s,s:s},s:s,s:o,s:{s:s,s:i,s:i},s:{s:o,s:{s:o,s:o}}}",
	    "duration_s", k->o.duration_s, "warmup_s", k->o.warmup_s, "connections",
	    (int)k->o.conns, "rounds", (int)k->o.rounds, "body_bytes", CAL_BODY, "client_threads",
	    (int)k->threads, "server_threads", CPU_COUNT(&k->o.server_cpus), "cpu_layout", "server",
	    scpus, "client", ccpus, "origin_driver", k->arm[k->driver].label, "arms", arms,
	    "ratio_ci", "method", "percentile bootstrap of the ratio of medians", "iterations",
	    CAL_CI_ITERS, "seed", CAL_CI_SEED, "open_loop", "percent", pcts, "closed_rate", "uring",
	    num(k->closed_rate[0], k->closed_rate[0] > 0), "epoll",
	    num(k->closed_rate[1], k->closed_rate[1] > 0));
}

/* Writes the document to path ("-" = stdout) atomically; 0 or -1 after logging. */
static int write_doc(const json_t *doc, const char *path)
{
	struct fs_out out;
	FILE *f = fs_out_open(&out, path);

	if (!f)
		return -1;
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) || fputc('\n', f) == EOF) {
		LOG_ERR("cannot write %s", path);
		fs_out_abort(&out);
		return -1;
	}
	return fs_out_commit(&out);
}

/*
 * The open/closed client CPU ratio of open-loop arm a against its engine's closed
 * loop, with the lag p99 at it, into open[a->key] and, in text mode, its line.
 */
static void put_open(const struct cal *k, const struct cal_arm *a, json_t *open)
{
	const struct cal_arm *c = &k->arm[a->closed];
	const char *eng = a->closed == ARM_UEPOLL ? "epoll" : "uring";
	double ratio, lo, hi, tmp[CAL_MAX_ROUNDS];
	struct stats_sum lag;
	char why[240] = "";
	json_t *e;

	if (!a->on || !c->on)
		snprintf(why, sizeof(why), "%s", !a->on ? a->why : c->why);
	else if (!stats_ratio_ci(c->ccpu, c->n, a->ccpu, a->n, CAL_CI_ITERS, CAL_CI_SEED, &ratio,
				 &lo, &hi))
		snprintf(why, sizeof(why), "no good runs of %s", !a->n ? a->key : c->key);
	e = json_pack("{s:s,s:f,s:o,s:s,s:s}", "engine", eng, "percent", a->pct, "rate",
		      num(a->rate, a->rate > 0), "numerator", a->key, "denominator", c->key);
	json_object_set_new(open, a->key, e);
	if (why[0]) {
		json_object_update_missing_new(e, json_pack("{s:s,s:s,s:n,s:n,s:n,s:n}", "status",
							    "skipped", "reason", why, "cpu_ratio",
							    "ci95", "lag_p99_us", "skipped"));
		if (!k->o.json)
			printf("open/closed client cpu ratio (%s) at %g%% skipped: %s\n", eng,
			       a->pct, why);
		return;
	}
	memcpy(tmp, a->lag, sizeof(*tmp) * (size_t)a->n);
	stats_summarise(tmp, a->n, &lag);
	json_object_update_missing_new(
	    e, json_pack("{s:s,s:n,s:f,s:[f,f],s:[i,i],s:o,s:I}", "status", "ok", "reason",
			 "cpu_ratio", ratio, "ci95", lo, hi, "n", a->n, c->n, "lag_p99_us",
			 figure(a->lag, a->n), "skipped", (json_int_t)a->skipped));
	if (!k->o.json)
		printf("open/closed client cpu ratio (%s) at %g%% = %.2f (95%% CI %.2f-%.2f), "
		       "lag p99 %.0f us (95%% CI %.0f-%.0f)%s\n",
		       eng, a->pct, ratio, lo, hi, lag.median, lag.ci_lo, lag.ci_hi,
		       a->skipped > 0 ? ", with skipped sends: client-bound" : "");
}

/* ---- the command ---- */

static void arm_init(struct cal_arm *a, const char *label, const char *engine,
		     enum cal_client client, enum cal_server server)
{
	snprintf(a->label, sizeof(a->label), "%s", label);
	snprintf(a->key, sizeof(a->key), "%s@%s", label, cal_server_names[server]);
	a->engine = engine;
	a->client = client;
	a->server = server;
	a->on = true;
}

static void arm_off(struct cal_arm *a, const char *why)
{
	if (!a->on)
		return;
	a->on = false;
	snprintf(a->why, sizeof(a->why), "%s", why);
	LOG_INFO("skipped %s: %s", a->key, why);
}

/* Which arms can run here, and the tools they need; -1 when ringside's own are missing. */
static int cal_setup(struct cal *k)
{
	char why[200];
	bool engines, have_wrk;

	snprintf(k->load, sizeof(k->load), "%s/ringside-load", fs_exe_dir());
	if (access(k->load, X_OK)) {
		PLOG_ERR("cannot execute %s", k->load);
		return -1;
	}
	engines = cal_load_has_engines(k->load);
	arm_init(&k->arm[ARM_UURING], "ringside-load(uring)", "uring", CAL_LOAD, CAL_ORIGIN);
	arm_init(&k->arm[ARM_UEPOLL], "ringside-load(epoll)", engines ? "epoll" : NULL, CAL_LOAD,
		 CAL_ORIGIN);
	arm_init(&k->arm[ARM_WRK], "wrk", NULL, CAL_WRK, CAL_ORIGIN);
	if (!engines)
		arm_off(&k->arm[ARM_UURING], "this ringside-load has no --engine option (its "
					     "epoll loop runs as ringside-load(epoll))");
	have_wrk = !tool_missing("wrk", why, sizeof(why));
	if (!have_wrk)
		arm_off(&k->arm[ARM_WRK], why);
	tool_find("wrk", k->wrk, sizeof(k->wrk));
	/* Without wrk, ringside-load drives both origins. */
	k->driver = have_wrk ? ARM_WRK : ARM_UEPOLL;
	arm_init(&k->arm[ARM_NGINX], k->arm[k->driver].label, k->arm[k->driver].engine,
		 k->arm[k->driver].client, CAL_NGINX);
	if (tool_missing("nginx", why, sizeof(why)))
		arm_off(&k->arm[ARM_NGINX], why);
	for (int e = 0; e < 2; e++)
		for (int i = 0; i < k->o.nopen; i++) {
			struct cal_arm *a = &k->arm[ARM_OPEN + e * CAL_OPEN_MAX + i];
			const struct cal_arm *c = &k->arm[e ? ARM_UEPOLL : ARM_UURING];
			char label[32];

			snprintf(label, sizeof(label), "ringside-load(%s) %d%%",
				 e ? "epoll" : "uring", (int)k->o.open_pct[i] % 1000);
			arm_init(a, label, c->engine, CAL_LOAD, CAL_ORIGIN);
			a->pct = k->o.open_pct[i];
			a->closed = e ? ARM_UEPOLL : ARM_UURING;
			if (!c->on)
				arm_off(a, c->why);
		}

	snprintf(k->peer.tmpdir, sizeof(k->peer.tmpdir), "/tmp/ringside-cal-XXXXXX");
	if (!mkdtemp(k->peer.tmpdir)) {
		PLOG_ERR("cannot create a temporary directory under /tmp");
		k->peer.tmpdir[0] = '\0';
		return -1;
	}
	if (cal_write_lua(k, k->peer.tmpdir))
		return -1;
	k->peer.body_bytes = CAL_BODY;
	k->peer.cpus = k->o.server_cpus;
	k->peer.timeout_s = 10;
	k->peer.interrupted = &run_interrupted;
	k->threads = (unsigned)CPU_COUNT(&k->o.client_cpus);
	if (k->threads > k->o.conns)
		k->threads = (unsigned)k->o.conns;
	return 0;
}

static int cal_servers(struct cal *k)
{
	char why[240];

	if (cal_start_origin(k))
		return -1;
	if (!k->arm[ARM_NGINX].on)
		return 0;
	if (peer_start(&k->nginx, "nginx", "nginx", "origin", &k->peer, k->o.conns, 0,
		       &k->nginx_port, NULL, why, sizeof(why))) {
		if (run_interrupted)
			return -1;
		arm_off(&k->arm[ARM_NGINX], why);
		return 0;
	}
	k->nworkers = ptree_children(k->nginx.pid, k->workers, 64);
	return 0;
}

/*
 * The closed-loop rate that the open-loop arms take their shares of: one run of
 * each engine's closed loop (after its warmup run) before the rounds. -1 if interrupted.
 */
static int cal_open_rates(struct cal *k)
{
	for (int e = 0; e < 2 && k->o.nopen; e++) {
		struct cal_arm *c = &k->arm[e ? ARM_UEPOLL : ARM_UURING];
		struct cal_run r = {0};
		char why[240];

		if (!c->on)
			continue;
		if (k->o.warmup_s > 0 && cal_run_client(k, c, k->o.warmup_s, &r))
			return -1;
		if (cal_run_client(k, c, k->o.duration_s, &r))
			return -1;
		k->closed_rate[e] = r.ok ? r.rps : 0;
		snprintf(why, sizeof(why), "no closed-loop rate of %s to take a share of: %.150s",
			 c->label, r.note);
		for (int i = 0; i < k->o.nopen; i++) {
			struct cal_arm *a = &k->arm[ARM_OPEN + e * CAL_OPEN_MAX + i];

			if (!r.ok)
				arm_off(a, why);
			a->rate = a->pct / 100 * r.rps;
		}
		if (!k->o.json && r.ok)
			printf("closed-loop rate of %s for the open-loop runs: %.0f req/s\n",
			       c->label, r.rps);
	}
	return 0;
}

/*
 * After a round: the open arms take their share of the median closed-loop rate of
 * their engine's rounds so far, so that a probe that ran in a noisy moment does not
 * set the rates of every round.
 */
static void cal_open_follow(struct cal *k)
{
	for (int i = ARM_OPEN; i < CAL_ARMS; i++) {
		struct cal_arm *a = &k->arm[i];
		const struct cal_arm *c = &k->arm[a->closed];

		if (a->key[0] && a->on && c->n > 0)
			a->rate = a->pct / 100 * median_of(c->rps, c->n);
	}
}

static void cal_text_head(const struct cal *k)
{
	char s[256], c[256];

	if (k->o.json)
		return;
	format_cpu_list(&k->o.server_cpus, s, sizeof(s));
	format_cpu_list(&k->o.client_cpus, c, sizeof(c));
	printf("ringside calibrate: %lu connections, %g s x %lu rounds (warmup %g s), body %d B, "
	       "server CPUs %s, client CPUs %s (%u client thread%s)\n",
	       k->o.conns, k->o.duration_s, k->o.rounds, k->o.warmup_s, CAL_BODY, s, c, k->threads,
	       k->threads == 1 ? "" : "s");
	printf("%-5s %-24s %-15s %10s %12s %12s %8s %8s %8s\n", "round", "client", "server",
	       "req/s", "client-us/req", "server-us/req", "cli-cpu", "cli-kern", "srv-cpu");
	fflush(stdout);
}

/* medians, ratios and the rest of the document; text lines unless --json. */
static json_t *cal_document(struct cal *k, const char *started, const char *command, double busy0,
			    double busy1)
{
	json_t *med = json_object(), *ratios = json_object(),
	       *host = hostinfo_json(peer_hostinfo_tools());
	json_t *open = json_object();
	bool capped[CAL_ARMS] = {false}; /* the server was CAL_SERVER_BOUND busy */
	char finished[32];

	for (int i = 0; i < CAL_ARMS; i++) {
		const struct cal_arm *a = &k->arm[i];

		if (!a->on)
			continue;
		json_object_set_new(med, a->key,
				    json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "client", a->label,
					      "server", cal_server_names[a->server],
					      "requests_per_sec", figure(a->rps, a->n),
					      "client_cpu_us_per_request", figure(a->ccpu, a->n),
					      "server_cpu_us_per_request", figure(a->scpu, a->n),
					      "client_kernel_share", figure(a->ckern, a->n),
					      "server_cpu_utilisation", figure(a->sutil, a->n)));
		if (k->o.json || !a->n)
			continue;
		capped[i] = median_of(a->sutil, a->n) >= CAL_SERVER_BOUND;
		printf("median %-21s -> %-15s %10.0f req/s %8.2f client-us/req %8.2f server-us/req"
		       "  client CPU %2.0f%% in the kernel%s\n",
		       a->label, cal_server_names[a->server], median_of(a->rps, a->n),
		       median_of(a->ccpu, a->n), median_of(a->scpu, a->n),
		       100 * median_of(a->ckern, a->n), capped[i] ? "  (server-bound)" : "");
	}
	for (size_t i = 0; i < sizeof(cal_ratios) / sizeof(cal_ratios[0]); i++)
		put_ratio(k, &cal_ratios[i], ratios);
	for (int i = ARM_OPEN; i < CAL_ARMS; i++)
		if (k->arm[i].key[0])
			put_open(k, &k->arm[i], open);
	for (int i = 0; i < CAL_ARMS; i++) {
		const struct cal_arm *a = &k->arm[i];

		if (capped[i] && a->client == CAL_LOAD && a->server == CAL_ORIGIN)
			printf("note: with %s the origin was over %.0f%% busy: the req/s ratio "
			       "against wrk is capped by the origin, not by the client\n",
			       a->label, 100 * CAL_SERVER_BOUND);
	}
	json_object_set_new(host, "busy_before", num(busy0, true));
	json_object_set_new(host, "busy_after", num(busy1, true));
	utc_now(finished, sizeof(finished), false);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:O,s:o,s:o,s:o,s:i}", "schema",
			 "ringside-calibrate/3", "command", command, "status",
			 run_interrupted ? "interrupted" : "complete", "started_at", started,
			 "finished_at", finished, "config", cal_config(k), "host", host, "rounds",
			 k->rounds, "medians", med, "ratios", ratios, "open_loop", open,
			 "marked_runs", k->marked);
}

static bool measured_any(const struct cal *k)
{
	for (int i = 0; i < CAL_ARMS; i++)
		if (k->arm[i].n > 0)
			return true;
	return false;
}

int cmd_calibrate(int argc, char **argv)
{
	static struct cal k; /* large (per-round arrays): not on the stack */
	char started[32], stamp[32], path[PATH_MAX];
	double busy0 = NAN, busy1 = NAN;
	char *full[argc + 2], *command;
	int rc = RS_EXIT_FAIL;
	json_t *doc;

	k.o = (struct cal_opts){.duration_s = 5,
				.warmup_s = 1,
				.conns = 100,
				.rounds = 3,
				.open_pct = {25, 50, 80},
				.nopen = 3};
	/* Not started yet: nothing to stop, no descriptors to close. */
	k.origin = k.nginx = (struct proc_child){.pidfd = -1, .out_fd = -1, .err_fd = -1};
	cal_parse(&k.o, argc, argv);
	full[0] = "ringside"; /* the recorded command is the whole command line */
	memcpy(full + 1, argv, sizeof(*argv) * (size_t)argc);
	full[argc + 1] = NULL;
	run_install_signals();
	pin_self(&k.o.client_cpus); /* keep ringside itself off the server's CPUs */
	utc_now(started, sizeof(started), false);
	k.rounds = json_array();
	if (cal_setup(&k) || cal_servers(&k))
		goto out;
	busy0 = cpus_busy();
	if (busy0 > CAL_BUSY_WARN)
		LOG_WARN("the CPUs were %.2f busy before the run: other work is running, figures "
			 "will be noisy",
			 busy0);
	cal_text_head(&k);
	if (cal_open_rates(&k))
		goto stop;
	for (int r = 0; r < (int)k.o.rounds && !run_interrupted; r++) {
		if (run_round(&k, r))
			break;
		cal_open_follow(&k);
	}
stop:
	proc_stop(&k.nginx, CAL_STOP_MS);
	proc_stop(&k.origin, CAL_STOP_MS);
	if (!run_interrupted)
		busy1 = cpus_busy();
	command = text_quote_argv(argc + 1, full);
	doc = cal_document(&k, started, command, busy0, busy1);
	free(command);
	if (k.marked)
		LOG_WARN("%d run(s) failed or had errors; they are marked and left out", k.marked);
	rc = measured_any(&k) ? RS_EXIT_OK : RS_EXIT_FAIL;
	if (k.o.json && write_doc(doc, "-"))
		rc = RS_EXIT_FAIL;
	if (!k.o.out && !k.o.json) {
		utc_now(stamp, sizeof(stamp), true);
		snprintf(path, sizeof(path), "results/calibrate-%s.json", stamp);
		if (fs_mkdir_p("results"))
			rc = RS_EXIT_FAIL;
	} else {
		snprintf(path, sizeof(path), "%s", k.o.out ? k.o.out : "");
	}
	if (path[0] && !(k.o.json && !strcmp(path, "-"))) {
		if (write_doc(doc, path))
			rc = RS_EXIT_FAIL;
		else if (!k.o.json && strcmp(path, "-"))
			printf("results: %s\n", path);
	}
	json_decref(doc);
out:
	proc_stop(&k.nginx, CAL_STOP_MS);
	proc_stop(&k.origin, CAL_STOP_MS);
	proc_release(&k.nginx);
	proc_release(&k.origin);
	json_decref(k.rounds);
	tmpdir_remove(k.peer.tmpdir);
	if (run_interrupted) {
		LOG_INFO("interrupted by %s", strsignal(run_interrupted));
		return 128 + run_interrupted;
	}
	return rc;
}
