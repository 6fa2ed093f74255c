/*
 * ringside-load: options, the choice of engine (io_uring where the kernel allows
 * it, else epoll), thread start-up, the warmup and measured-window timeline
 * (announced on --phase-fd), the never-connected check, the JSON summary on
 * stdout (with the histogram, for exact merges across hosts), and
 * --exit-on-stdin-eof for runs over ssh. The per-thread loop is loop.c over
 * loop_uring.c or loop_epoll.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist_json.h"
#include "load.h"
#include "log.h"
#include "net.h"
#include "clock.h"
#include "opts.h"

#define NEVER_CONNECTED_NS 1000000000ull /* give up after 1 s of refused connects */
#define FD_RESERVE	   32		 /* descriptors beyond one per connection */

static const char usage[] =
    "usage: ringside-load --target HOST:PORT [options]\n"
    "\n"
    "Drives an echo or HTTP/1.1 server and prints one JSON object on stdout.\n"
    "\n"
    "  --target HOST:PORT         server to load (required); [V6]:PORT for IPv6\n"
    "  -c, --connections N        connections in total (default 10)\n"
    "  -t, --threads T            threads, each with its own event loop over its share\n"
    "                             of the connections; must not exceed N (default 1)\n"
    "  --engine uring|epoll       I/O engine: uring (one io_uring per thread, batched) or\n"
    "                             epoll (default uring where the kernel allows it, else\n"
    "                             epoll, with a note on stderr)\n"
    "  --cpus LIST                pin thread i to the i-th CPU of LIST (e.g. 1 or 2-3)\n"
    "  -d, --duration S           measured window in seconds, decimals allowed (default 10)\n"
    "  --warmup S                 unrecorded warmup before the window, may be 0 (default 1)\n"
    "  --mode echo|http           protocol (default echo)\n"
    "  --payload BYTES            echo request size, every byte verified (default 64)\n"
    "  --depth D                  requests in flight per connection (default 1)\n"
    "  --rate R                   open loop: R requests/s in total, latency measured\n"
    "                             from the intended send time (default: closed loop);\n"
    "                             a thread wakes at most once per tick and sends all\n"
    "                             that is due in one pass\n"
    "  --tick-max-us US           open loop: the longest tick; the tick is 5% of one\n"
    "                             connection's interval, at least one wake's cost\n"
    "                             (default 100)\n"
    "  --max-lag-ms MS            open loop: a request not sent within MS of its time\n"
    "                             is skipped and counted in `skipped` (default 10)\n"
    "  --timeout S                unanswered this long = timeout error, the connection\n"
    "                             is replaced (default 5)\n"
    "  --path /x                  http: request path (default /)\n"
    "  --host-header NAME         http: Host header (default the --target value)\n"
    "  --expect-body BYTES        http: a response whose body is not exactly BYTES long\n"
    "                             is a `mismatch` error (default: any length)\n"
    "  --new-connection-per-request\n"
    "                             connect, one request (http: with Connection: close),\n"
    "                             close; latency includes the connect (depth must be 1)\n"
    "  --phase-fd FD              write \"start\\n\" / \"stop\\n\" to FD when the measured\n"
    "                             window begins / ends; FD 1 (stdout) is allowed: the\n"
    "                             two lines then come before the JSON object\n"
    "  --exit-on-stdin-eof        exit (code 1, no JSON) as soon as stdin reaches EOF:\n"
    "                             over ssh -T, signals do not reach the remote side, but\n"
    "                             the end of the session closes its stdin\n"
    "  --version                  print \"ringside-load VERSION\" and exit\n"
    "  -h, --help                 this text\n"
    "\n"
    "Errors (connect, reset, timeout, mismatch, status) are counted in the JSON, not\n"
    "fatal. Exit 0 after a run, 1 if no connection ever succeeded or setup failed,\n"
    "2 on a bad option, 3 if --engine uring is asked for and the kernel refuses it.\n"
    "Set RINGSIDE_VERBOSE=1 to log each error.\n"
    "\n"
    "examples:\n"
    "  ringside-load --target 127.0.0.1:7000 -c 100 -d 5\n"
    "  ringside-load --target 127.0.0.1:7000 --payload 4096 --depth 8 -t 2 --cpus 0-1\n"
    "  ringside-load --target 127.0.0.1:8080 --mode http --path /index.html -c 50\n"
    "  ringside-load --target 127.0.0.1:8080 --mode http --rate 20000 -c 64 -d 10\n"
    "  ringside-load --target 127.0.0.1:8080 --mode http --new-connection-per-request\n"
    "  ringside-load --target 127.0.0.1:7000 --engine epoll -c 100\n"
    "  ssh -T host ringside-load --target 198.18.1.1:7000 --phase-fd 1 --exit-on-stdin-eof\n";

enum {
	OPT_TARGET = 256,
	OPT_CPUS,
	OPT_WARMUP,
	OPT_MODE,
	OPT_PAYLOAD,
	OPT_DEPTH,
	OPT_RATE,
	OPT_TIMEOUT,
	OPT_TICK_MAX,
	OPT_MAX_LAG,
	OPT_PATH,
	OPT_HOST_HEADER,
	OPT_CHURN,
	OPT_EXPECT_BODY,
	OPT_PHASE_FD,
	OPT_ENGINE,
	OPT_STDIN_EOF,
	OPT_VERSION,
};

static const struct option longopts[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"connections", required_argument, NULL, 'c'},
    {"threads", required_argument, NULL, 't'},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"duration", required_argument, NULL, 'd'},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"mode", required_argument, NULL, OPT_MODE},
    {"payload", required_argument, NULL, OPT_PAYLOAD},
    {"depth", required_argument, NULL, OPT_DEPTH},
    {"rate", required_argument, NULL, OPT_RATE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"tick-max-us", required_argument, NULL, OPT_TICK_MAX},
    {"max-lag-ms", required_argument, NULL, OPT_MAX_LAG},
    {"path", required_argument, NULL, OPT_PATH},
    {"host-header", required_argument, NULL, OPT_HOST_HEADER},
    {"new-connection-per-request", no_argument, NULL, OPT_CHURN},
    {"expect-body", required_argument, NULL, OPT_EXPECT_BODY},
    {"phase-fd", required_argument, NULL, OPT_PHASE_FD},
    {"engine", required_argument, NULL, OPT_ENGINE},
    {"exit-on-stdin-eof", no_argument, NULL, OPT_STDIN_EOF},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Printable, no spaces: safe to put in a request line or header. */
static bool http_token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	}
	return true;
}

static void parse_opts(int argc, char **argv, struct load_opts *o)
{
	bool depth_set = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:t:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_TARGET:
			if (parse_hostport(optarg, o->host, sizeof(o->host), &o->port))
				usage_error("invalid value '%s' for --target: expected HOST:PORT",
					    optarg);
			o->target = optarg;
			break;
		case 'c':
			o->connections = opt_uint("connections", optarg, 1, 1000000);
			break;
		case 't':
			o->threads = opt_uint("threads", optarg, 1, 1024);
			break;
		case OPT_CPUS:
			opt_cpus("cpus", optarg, &o->cpus);
			break;
		case 'd':
			o->duration_s = opt_double("duration", optarg, 0.001, 31 * 86400);
			break;
		case OPT_WARMUP:
			o->warmup_s = opt_double("warmup", optarg, 0, 86400);
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "echo"))
				o->mode = LOAD_ECHO;
			else if (!strcmp(optarg, "http"))
				o->mode = LOAD_HTTP;
			else
				usage_error("invalid value '%s' for --mode: expected echo or http",
					    optarg);
			break;
		case OPT_PAYLOAD:
			o->payload = opt_uint("payload", optarg, 1, 16 << 20);
			break;
		case OPT_DEPTH:
			o->depth = opt_uint("depth", optarg, 1, 1024);
			depth_set = true;
			break;
		case OPT_RATE:
			o->rate = opt_double("rate", optarg, 0.001, 1e9);
			break;
		case OPT_TIMEOUT:
			o->timeout_s = opt_double("timeout", optarg, 0.001, 86400);
			break;
		case OPT_TICK_MAX:
			o->tick_max_us = opt_double("tick-max-us", optarg, 1, 100000);
			break;
		case OPT_MAX_LAG:
			o->max_lag_ms = opt_double("max-lag-ms", optarg, 0.01, 3600000);
			break;
		case OPT_PATH:
			if (optarg[0] != '/' || !http_token_ok(optarg, 4096))
				usage_error("invalid value '%s' for --path: expected /... without "
					    "spaces or control characters",
					    optarg);
			o->path = optarg;
			break;
		case OPT_HOST_HEADER:
			if (!http_token_ok(optarg, 255))
				usage_error("invalid value '%s' for --host-header", optarg);
			o->host_header = optarg;
			break;
		case OPT_CHURN:
			o->churn = true;
			break;
		case OPT_EXPECT_BODY:
			o->expect_body = (int64_t)opt_uint("expect-body", optarg, 0, 1ull << 40);
			break;
		case OPT_PHASE_FD:
			o->phase_fd = (int)opt_uint("phase-fd", optarg, 0, 1 << 30);
			if (fcntl(o->phase_fd, F_GETFD) < 0)
				usage_error("--phase-fd %d is not an open descriptor", o->phase_fd);
			break;
		case OPT_ENGINE:
			if (!strcmp(optarg, "uring"))
				o->engine = &load_engine_uring;
			else if (!strcmp(optarg, "epoll"))
				o->engine = &load_engine_epoll;
			else
				usage_error("invalid value '%s' for --engine: expected uring or "
					    "epoll",
					    optarg);
			break;
		case OPT_STDIN_EOF:
			o->exit_on_stdin_eof = true;
			break;
		case OPT_VERSION:
			printf("ringside-load %s\n", RINGSIDE_VERSION);
			exit(RS_EXIT_OK);
		case 'h':
			fputs(usage, stdout);
			exit(RS_EXIT_OK);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->target)
		usage_error("--target HOST:PORT is required");
	if (o->threads > o->connections)
		usage_error("--threads %u exceeds --connections %u: each thread needs a "
			    "connection",
			    o->threads, o->connections);
	if (o->expect_body >= 0 && o->mode != LOAD_HTTP)
		usage_error("--expect-body needs --mode http");
	if (o->churn && depth_set && o->depth != 1)
		usage_error("--new-connection-per-request sends one request per connection: "
			    "--depth must be 1");
}

/*
 * --engine as given, or io_uring if this kernel sets up a ring as the engine
 * wants it, else epoll with a note. A refused explicit uring exits 3.
 */
static void choose_engine(struct load_opts *o)
{
	char why[160] = "";
	bool asked = o->engine != NULL;
	int err;

	if (asked && o->engine != &load_engine_uring)
		return;
	err = load_engine_uring.probe(why, sizeof(why));
	if (!err) {
		o->engine = &load_engine_uring;
		return;
	}
	if (err != -EINVAL && err != -ENOSYS && err != -EPERM)
		DIE("cannot set up io_uring: %s", why);
	if (asked) {
		LOG_ERR("io_uring unsupported: %s", why);
		exit(RS_EXIT_UNSUPPORTED);
	}
	LOG_WARN("io_uring unavailable (%s): using the epoll engine", why);
	o->engine = &load_engine_epoll;
}

static void phase(const struct load_opts *o, const char *what)
{
	if (o->phase_fd >= 0 && write(o->phase_fd, what, strlen(what)) < 0)
		PLOG_WARN("cannot write to --phase-fd %d", o->phase_fd);
}

/*
 * --exit-on-stdin-eof: a thread that reads stdin to its end, then ends the
 * process. Whoever started us (ringside, through ssh or ip netns exec) holds the
 * other end; when it goes, for any reason, so do we, and nothing is left behind.
 */
static void *stdin_watch(void *arg)
{
	char buf[256];

	(void)arg;
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	LOG_ERR("stdin closed (--exit-on-stdin-eof): exiting");
	_exit(RS_EXIT_FAIL);
	return NULL;
}

static void watch_stdin(void)
{
	pthread_t tid;
	int err = pthread_create(&tid, NULL, stdin_watch, NULL);

	if (err) {
		errno = err;
		PDIE("pthread_create for --exit-on-stdin-eof");
	}
	pthread_detach(tid);
}

static void never_connected(const struct load_opts *o)
{
	int err = atomic_load(&load_g.connect_errno);

	LOG_ERR("cannot connect to %s: %s", o->target,
		err ? strerror(err) : "no connection succeeded");
	exit(RS_EXIT_FAIL);
}

/*
 * Sleeps until deadline while watching for a failed thread and a target that
 * refuses every connect. Returns true if SIGINT/SIGTERM arrived.
 */
static bool wait_until(const struct load_opts *o, const sigset_t *sigs, uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ns(), slice;
		struct timespec ts;

		if (atomic_load(&load_g.failed))
			exit(RS_EXIT_FAIL);
		if (!atomic_load(&load_g.connected) && atomic_load(&load_g.connect_errno) &&
		    now - load_g.begin_ns >= NEVER_CONNECTED_NS)
			never_connected(o);
		if (now >= deadline)
			return false;
		slice = deadline - now < 50000000ull ? deadline - now : 50000000ull;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)slice;
		if (sigtimedwait(sigs, NULL, &ts) > 0)
			return true;
	}
}

static json_t *num_or_null(bool ok, double v)
{
	return ok ? json_real(v) : json_null();
}

/* Open loop: {p50, p99, max} of the schedule lag (load.h), µs; closed loop: null. */
static json_t *lag_json(const struct load_opts *o, const struct hist *lag)
{
	bool have = hist_count(lag) > 0;

	if (o->rate <= 0)
		return json_null();
	return json_pack(
	    "{s:o,s:o,s:o,s:I}", "p50", num_or_null(have, hist_percentile(lag, 50) / 1e3), "p99",
	    num_or_null(have, hist_percentile(lag, 99) / 1e3), "max",
	    num_or_null(have, hist_max(lag) / 1e3), "count", (json_int_t)hist_count(lag));
}

/* Open loop: the pacing (load.h, pace.h); closed loop: null. */
static json_t *pacing_json(const struct load_opts *o, const struct load_stats *s)
{
	if (o->rate <= 0)
		return json_null();
	return json_pack("{s:f,s:f,s:f,s:I,s:o}", "tick_us", s->tick_ns / o->threads / 1e3,
			 "wake_cost_us", s->wake_ns / o->threads / 1e3, "max_lag_ms", o->max_lag_ms,
			 "passes", (json_int_t)s->passes, "passes_per_request",
			 num_or_null(s->requests > 0, (double)s->passes / (double)s->requests));
}

static void print_json(const struct load_opts *o, const struct load_stats *s, double dur)
{
	static const char *const kinds[LERR_KINDS] = {"connect", "reset", "timeout", "mismatch",
						      "status"};
	json_t *root = json_object(), *lat = json_object(), *err = json_object(),
	       *cpu = json_object();
	bool have = s->requests > 0;
	uint64_t total = 0;

	json_object_set_new(root, "tool", json_string("ringside-load"));
	json_object_set_new(root, "version", json_string(RINGSIDE_VERSION));
	json_object_set_new(root, "mode", json_string(o->mode == LOAD_ECHO ? "echo" : "http"));
	json_object_set_new(root, "engine", json_string(o->engine->name));
	json_object_set_new(root, "target", json_string(o->target));
	json_object_set_new(root, "connections", json_integer(o->connections));
	json_object_set_new(root, "threads", json_integer(o->threads));
	json_object_set_new(root, "depth", json_integer(o->depth));
	json_object_set_new(root, "rate", num_or_null(o->rate > 0, o->rate));
	json_object_set_new(root, "payload_bytes",
			    o->mode == LOAD_ECHO ? json_integer(o->payload) : json_null());
	json_object_set_new(root, "duration_s", json_real(dur));
	json_object_set_new(root, "requests", json_integer((json_int_t)s->requests));
	json_object_set_new(root, "bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(root, "requests_per_sec", num_or_null(dur > 0, s->requests / dur));
	json_object_set_new(root, "bytes_per_sec", num_or_null(dur > 0, s->bytes / dur));
	json_object_set_new(lat, "p50", num_or_null(have, hist_percentile(&s->lat, 50) / 1e3));
	json_object_set_new(lat, "p90", num_or_null(have, hist_percentile(&s->lat, 90) / 1e3));
	json_object_set_new(lat, "p99", num_or_null(have, hist_percentile(&s->lat, 99) / 1e3));
	json_object_set_new(lat, "p999", num_or_null(have, hist_percentile(&s->lat, 99.9) / 1e3));
	json_object_set_new(lat, "max", num_or_null(have, hist_max(&s->lat) / 1e3));
	json_object_set_new(lat, "mean", num_or_null(have, hist_mean(&s->lat) / 1e3));
	json_object_set_new(root, "latency_us", lat);
	json_object_set_new(root, "histogram", hist_to_json(&s->lat));
	json_object_set_new(root, "schedule_lag_us", lag_json(o, &s->lag));
	json_object_set_new(root, "skipped", json_integer((json_int_t)s->skipped));
	json_object_set_new(root, "wakeups_per_request",
			    num_or_null(have, (double)s->wakeups / (double)s->requests));
	json_object_set_new(root, "pacing", pacing_json(o, s));
	for (int k = 0; k < LERR_KINDS; k++) {
		json_object_set_new(err, kinds[k], json_integer((json_int_t)s->errors[k]));
		total += s->errors[k];
	}
	json_object_set_new(err, "total", json_integer((json_int_t)total));
	json_object_set_new(root, "errors", err);
	json_object_set_new(cpu, "user_s", json_real(s->user_s));
	json_object_set_new(cpu, "system_s", json_real(s->system_s));
	json_object_set_new(cpu, "utilisation",
			    num_or_null(dur > 0, (s->user_s + s->system_s) / (dur * o->threads)));
	json_object_set_new(root, "cpu", cpu);
	if (o->mode == LOAD_HTTP)
		json_object_set_new(root, "body_bytes",
				    num_or_null(have, (double)s->body_bytes / s->requests));
	if (json_dumpf(root, stdout, JSON_REAL_PRECISION(9)) || fputc('\n', stdout) == EOF ||
	    fflush(stdout))
		PDIE("cannot write the results to stdout");
	json_decref(root);
}

int main(int argc, char **argv)
{
	struct load_opts o = {
	    .connections = 10,
	    .threads = 1,
	    .duration_s = 10,
	    .warmup_s = 1,
	    .mode = LOAD_ECHO,
	    .payload = 64,
	    .depth = 1,
	    .timeout_s = 5,
	    .tick_max_us = PACE_TICK_MAX_NS / 1e3,
	    .max_lag_ms = PACE_MAX_LAG_NS / 1e6,
	    .path = "/",
	    .expect_body = -1,
	    .phase_fd = -1,
	};
	const struct load_proto *proto;
	struct load_thread *threads;
	struct load_stats total = {0};
	uint64_t start, end;
	unsigned long nofile;
	sigset_t sigs;
	size_t req_len;
	unsigned id = 0;

	log_init(argv[0]);
	parse_opts(argc, argv, &o);
	choose_engine(&o);
	if (net_resolve(o.host, o.port, &o.addr, &o.addrlen))
		return RS_EXIT_FAIL;
	nofile = net_raise_nofile();
	if ((unsigned long)o.connections + FD_RESERVE > nofile)
		DIE("%u connections need more descriptors than RLIMIT_NOFILE allows (%lu)",
		    o.connections, nofile);
	signal(SIGPIPE, SIG_IGN);
	proto = o.mode == LOAD_ECHO ? &load_proto_echo : &load_proto_http;
	req_len = proto->setup(&o);
	if (!req_len)
		DIE("out of memory setting up the %s protocol", proto->name);

	threads = calloc(o.threads, sizeof(*threads));
	if (!threads)
		DIE("out of memory");
	for (unsigned i = 0; i < o.threads; i++) {
		struct load_thread *t = &threads[i];

		t->idx = i;
		t->o = &o;
		t->proto = proto;
		t->req_len = req_len;
		t->first_id = id;
		t->nconns = o.connections / o.threads + (i < o.connections % o.threads);
		t->eng = o.engine;
		id += t->nconns;
		if (load_thread_init(t))
			return RS_EXIT_FAIL;
	}

	/* Only the main thread takes SIGINT/SIGTERM (sigtimedwait ends the window early). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (o.exit_on_stdin_eof)
		watch_stdin();
	load_g.begin_ns = now_ns();
	for (unsigned i = 0; i < o.threads; i++) {
		int err = pthread_create(&threads[i].tid, NULL, load_thread_main, &threads[i]);

		if (err) {
			errno = err;
			PDIE("pthread_create");
		}
	}

	if (wait_until(&o, &sigs, load_g.begin_ns + (uint64_t)(o.warmup_s * 1e9))) {
		start = end = now_ns();
		atomic_store(&load_g.win_start, start);
		atomic_store(&load_g.win_end, end);
	} else {
		start = now_ns();
		atomic_store(&load_g.win_start, start);
		phase(&o, "start\n");
		wait_until(&o, &sigs, start + (uint64_t)(o.duration_s * 1e9));
		end = now_ns();
		atomic_store(&load_g.win_end, end);
		phase(&o, "stop\n");
	}
	for (unsigned i = 0; i < o.threads; i++)
		pthread_join(threads[i].tid, NULL);
	if (atomic_load(&load_g.failed))
		return RS_EXIT_FAIL;
	if (!atomic_load(&load_g.connected))
		never_connected(&o);

	hist_init(&total.lat);
	hist_init(&total.lag);
	for (unsigned i = 0; i < o.threads; i++) {
		struct load_stats *s = &threads[i].st;

		total.requests += s->requests;
		total.bytes += s->bytes;
		total.body_bytes += s->body_bytes;
		for (int k = 0; k < LERR_KINDS; k++)
			total.errors[k] += s->errors[k];
		total.skipped += s->skipped;
		total.wakeups += s->wakeups;
		total.passes += s->passes;
		total.tick_ns += s->tick_ns;
		total.wake_ns += s->wake_ns;
		total.user_s += s->user_s;
		total.system_s += s->system_s;
		hist_merge(&total.lat, &s->lat);
		hist_merge(&total.lag, &s->lag);
		load_thread_free(&threads[i]);
	}
	free(threads);
	print_json(&o, &total, (double)(end - start) / 1e9);
	return RS_EXIT_OK;
}
