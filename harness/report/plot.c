/*
 * `ringside plot`: the chart registry (chart.h: every kind of chart, its script
 * and its maker in chart.c or curves.c), and the charts of a results.json as
 * PNG (pngcairo), SVG and PDF (pdfcairo) in DIR/charts. gnuplot renders the
 * data files with the scripts in scripts/ (or $RINGSIDE_GNUPLOT_DIR). No
 * kernel features.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "curves.h"
#include "fsio.h"
#include "log.h"
#include "opts.h"
#include "text.h"

#define CPU_US "server CPU µs per request"
#define SWEEP  "rate sweeps"
#define PROXY  "proxy runs"

const struct rpt_chart_kind rpt_chart_kinds[] = {
    {.name = "throughput",
     .script = "lines.gp",
     .headline = "Throughput vs connections",
     .ylabel = "requests/s",
     .fig = {&figs[FIG_REQUESTS_PER_SEC]},
     .per_group = rpt_chart_lines},
    {.name = "syscalls",
     .script = "stacked.gp",
     .headline = "Server syscalls per request, by name",
     .ylabel = "syscalls per request",
     .probes = true,
     .per_group = rpt_chart_syscalls},
    {.name = "context-switches",
     .script = "stacked.gp",
     .headline = "Server context switches per request",
     .ylabel = "context switches per request",
     .fig = {&figs[FIG_CTX_VOLUNTARY], &figs[FIG_CTX_INVOLUNTARY]},
     .probes_off_note = "from /proc (probes off)",
     .per_group = rpt_chart_stacked},
    {.name = "latency",
     .script = "latency.gp",
     .headline = "Latency p50 and p99 vs connections",
     .ylabel = "latency (µs, log scale)",
     .fig = {&figs[FIG_LATENCY_P50], &figs[FIG_LATENCY_P99]},
     .per_group = rpt_chart_lines},
    {.name = "cpu",
     .script = "stacked.gp",
     .headline = "Server CPU time per request",
     .ylabel = "CPU µs per request",
     .fig = {&figs[FIG_CPU_USER], &figs[FIG_CPU_SYSTEM], &figs[FIG_CPU_SQPOLL]},
     .per_group = rpt_chart_stacked},
    {.name = "cpu-ns",
     .script = "lines.gp",
     .headline = "Server CPU per request at equal load (scheduler ns)",
     .ylabel = "server CPU ns per request (scheduler time, every thread)",
     .when = "open loop at equal load",
     .equal_only = true,
     .fig = {&figs[FIG_CPU_NS]},
     .per_group = rpt_chart_lines},
    {.name = "tinygate",
     .script = "bars.gp",
     .headline = "TinyGate: proxy throughput by architecture",
     .ylabel = "requests/s",
     .when = PROXY,
     .workload = "proxy",
     .fig = {&figs[FIG_REQUESTS_PER_SEC]},
     .per_group = rpt_chart_bars},
    {.name = "tinygate-p99",
     .script = "bars.gp",
     .headline = "TinyGate: proxy p99 latency by architecture",
     .ylabel = "p99 latency (µs)",
     .when = PROXY,
     .workload = "proxy",
     .fig = {&figs[FIG_LATENCY_P99]},
     .per_group = rpt_chart_bars},
    {.name = "probe-overhead",
     .script = "bars.gp",
     .headline = "Probe overhead: throughput with probes ÷ without",
     .ylabel = "probed ÷ unprobed requests/s",
     .fig = {&figs[FIG_PROBE_OVERHEAD]},
     .probes = true,
     .vars = "refline=1; ",
     .per_group = rpt_chart_bars},
    {.name = "cpu-time",
     .script = "stacked.gp",
     .headline = "Where the CPU of a request goes",
     .ylabel = CPU_US,
     .probes = true,
     .per_group = rpt_chart_cpu_time},
    {.name = "runqueue-p99",
     .script = "lines.gp",
     .headline = "Server run-queue delay p99 vs connections",
     .ylabel = "run-queue delay p99 (µs)",
     .fig = {&figs[FIG_RUNQ_P99]},
     .probes = true,
     .per_group = rpt_chart_lines},
    {.name = "iowq-punts",
     .script = "lines.gp",
     .headline = "io-wq punts per request vs connections",
     .ylabel = "io-wq punts per request",
     .fig = {&figs[FIG_IOWQ_PUNTS]},
     .probes = true,
     .per_group = rpt_chart_lines},
    {.name = "curve-p99",
     .script = "curve.gp",
     .headline = "p99 latency vs achieved throughput (rate sweep)",
     .ylabel = "p99 latency (µs, log scale)",
     .xlabel = "achieved requests/s",
     .when = SWEEP,
     .fig = {&figs[FIG_LATENCY_P99]},
     .per_curve_set = rpt_chart_curve},
    {.name = "curve-p50",
     .script = "curve.gp",
     .headline = "p50 latency vs achieved throughput (rate sweep)",
     .ylabel = "p50 latency (µs, log scale)",
     .xlabel = "achieved requests/s",
     .when = SWEEP,
     .fig = {&figs[FIG_LATENCY_P50]},
     .per_curve_set = rpt_chart_curve},
    {.name = "curve-cpu",
     .script = "curve.gp",
     .headline = "Server CPU per request vs offered load (rate sweep)",
     .ylabel = CPU_US,
     .xlabel = "offered requests/s",
     .when = SWEEP,
     .fig = {&figs[FIG_CPU_TOTAL]},
     .x_offered = true,
     .per_curve_set = rpt_chart_curve},
    {.name = "throughput-by-size",
     .script = "lines.gp",
     .headline = "Throughput vs message size",
     .ylabel = "requests/s",
     .when = "runs over several sizes",
     .per_run = rpt_chart_sizes},
    {.name = "knee-by-size",
     .script = "lines.gp",
     .headline = "Throughput at the knee vs message size (rate sweep)",
     .ylabel = "achieved requests/s at the knee",
     .when = "rate sweeps over several sizes",
     .per_run = rpt_chart_knee_sizes},
    {.name = NULL},
};

_Static_assert(sizeof(rpt_chart_kinds) / sizeof(rpt_chart_kinds[0]) <= RPT_MAX_KINDS + 1,
	       "a kind's bit must fit the --only mask");

const struct rpt_chart_kind *rpt_chart_kind_find(const char *name)
{
	for (const struct rpt_chart_kind *k = rpt_chart_kinds; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static bool wanted(unsigned long long mask, const struct rpt_chart_kind *k)
{
	return mask >> (k - rpt_chart_kinds) & 1;
}

int rpt_chart_select(const struct rpt_doc *doc, const char *datadir, unsigned long long mask,
		     struct rpt_chart *out, int cap)
{
	struct rpt_group groups[RPT_MAX_GROUPS];
	struct rpt_curve_set sets[RPT_MAX_CURVE_SETS];
	int ng = rpt_groups(doc, groups, RPT_MAX_GROUPS), n = 0, r;
	int ns = rpt_curve_sets(doc, sets, RPT_MAX_CURVE_SETS);
	const struct rpt_chart_kind *k;

	if (datadir && fs_mkdir_p(datadir) < 0)
		return -1;
	for (int i = 0; i < ng; i++)
		for (k = rpt_chart_kinds; k->name; k++) {
			if (!k->per_group || !wanted(mask, k))
				continue;
			if (n == cap)
				return n;
			r = k->per_group(doc, &groups[i], k, datadir, &out[n]);
			if (r < 0)
				return -1;
			n += r;
		}
	for (int i = 0; i < ns; i++)
		for (k = rpt_chart_kinds; k->name; k++) {
			if (!k->per_curve_set || !wanted(mask, k))
				continue;
			if (n == cap)
				return n;
			r = k->per_curve_set(doc, &sets[i], k, datadir, &out[n]);
			if (r < 0)
				return -1;
			n += r;
		}
	for (k = rpt_chart_kinds; k->name; k++) {
		if (!k->per_run || !wanted(mask, k))
			continue;
		r = k->per_run(doc, k, datadir, out + n, cap - n);
		if (r < 0)
			return -1;
		n += r;
	}
	return n;
}

int rpt_chart_all(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *out, int cap)
{
	return rpt_chart_select(doc, datadir, ~0ULL, out, cap);
}

static int find_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)len, len ? path : ".");
		if (access(buf, X_OK) == 0)
			return 0;
		path += len + (end ? 1 : 0);
	}
	LOG_ERR("gnuplot not found on PATH: install gnuplot (apt-get install gnuplot-nox)");
	return -1;
}

static bool has_common(const char *dir)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/common.gp", dir);
	return access(p, R_OK) == 0;
}

/* $RINGSIDE_GNUPLOT_DIR, else scripts/ beside or above the executable. */
static int scripts_dir(char *buf, size_t len)
{
	const char *env = getenv("RINGSIDE_GNUPLOT_DIR");
	static const char *const rel[] = {"/../share/ringside/scripts", "/../scripts", "/scripts"};
	const char *self = fs_exe_dir();

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(buf, len, "%.*s%s", PATH_MAX - 40, self, rel[i]);
		if (has_common(buf))
			return 0;
	}
	LOG_ERR("cannot find the gnuplot scripts (scripts/common.gp); set RINGSIDE_GNUPLOT_DIR");
	return -1;
}

static int run_gnuplot(const char *vars, const char *script)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		PLOG_ERR("fork");
		return -1;
	}
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
		PLOG_ERR("cannot run gnuplot");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			PLOG_ERR("waitpid");
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		LOG_ERR("gnuplot failed on %s (exit %d)", script, WEXITSTATUS(status));
	else
		LOG_ERR("gnuplot killed by signal %d on %s", WTERMSIG(status), script);
	return -1;
}

static const struct {
	enum rpt_format fmt;
	const char *ext;
} formats[] = {{RPT_FMT_PNG, "png"}, {RPT_FMT_SVG, "svg"}, {RPT_FMT_PDF, "pdf"}};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static void var(char *vars, size_t len, const char *name, const char *val)
{
	text_cat(vars, len, "; %s=", name);
	rpt_gp_quote(vars, len, val);
}

static int render(const struct rpt_chart *ch, const char *chartdir, const char *scripts,
		  const struct rpt_plot_opts *o)
{
	char vars[8192] = "", out[NFORMATS][PATH_MAX + 128], tmp[NFORMATS][PATH_MAX + 160],
	     script[PATH_MAX + 32], list[32] = "", name[16];
	int notelines = 0;
	size_t i;

	snprintf(script, sizeof(script), "%.*s/%.20s", PATH_MAX, scripts, ch->script);
	if (ch->note[0] && !ch->nodata)
		for (const char *p = ch->note; p; p = strchr(p + 1, '\n'))
			notelines++;
	text_cat(vars, sizeof(vars), "scripts=");
	rpt_gp_quote(vars, sizeof(vars), scripts);
	var(vars, sizeof(vars), "data", ch->data);
	for (i = 0; i < NFORMATS; i++) {
		tmp[i][0] = '\0';
		if (!(o->formats & formats[i].fmt))
			continue;
		snprintf(out[i], sizeof(out[i]), "%.*s/%s.%s", PATH_MAX, chartdir, ch->name,
			 formats[i].ext);
		fs_tmp_name(out[i], tmp[i], sizeof(tmp[i]));
		snprintf(name, sizeof(name), "out_%s", formats[i].ext);
		var(vars, sizeof(vars), name, tmp[i]);
		text_cat(list, sizeof(list), "%s%s", list[0] ? " " : "", formats[i].ext);
	}
	var(vars, sizeof(vars), "formats", list);
	var(vars, sizeof(vars), "title", ch->title);
	var(vars, sizeof(vars), "note", ch->note);
	text_cat(vars, sizeof(vars), "; notelines=%d; nodata=%d; width=%d; height=%d; mono=%d; %s",
		 notelines, ch->nodata, o->width, o->height, o->mono, ch->vars);
	if (strlen(vars) + 1 >= sizeof(vars)) {
		LOG_ERR("%s: chart variables too long", ch->name);
		return -1;
	}
	LOG_DBG("gnuplot -e '%s' %s", vars, script);
	if (run_gnuplot(vars, script) < 0)
		goto fail;
	for (i = 0; i < NFORMATS; i++)
		if (tmp[i][0] && fs_rename_into(tmp[i], out[i]) < 0)
			goto fail;
	return 0;
fail:
	for (i = 0; i < NFORMATS; i++)
		if (tmp[i][0])
			unlink(tmp[i]);
	return -1;
}

int rpt_plot_with(const struct rpt_doc *doc, const struct rpt_plot_opts *o, struct rpt_chart *out,
		  int cap)
{
	char chartdir[PATH_MAX], datadir[PATH_MAX + 8], scripts[PATH_MAX];
	int n;

	if (find_gnuplot() < 0 || scripts_dir(scripts, sizeof(scripts)) < 0)
		return -1;
	snprintf(chartdir, sizeof(chartdir), "%.*s/charts", PATH_MAX - 16, doc->dir);
	snprintf(datadir, sizeof(datadir), "%s/data", chartdir);
	n = rpt_chart_select(doc, datadir, o->kinds, out, cap);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (render(&out[i], chartdir, scripts, o) < 0)
			return -1;
	}
	return n;
}

int rpt_plot(const struct rpt_doc *doc, struct rpt_chart *out, int cap)
{
	const struct rpt_plot_opts o = RPT_PLOT_DEFAULTS;

	return rpt_plot_with(doc, &o, out, cap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ringside plot [--only KIND,...] [--format png,svg,pdf] [--size W,H]\n"
		"                     [--mono] [--verbose] DIR|results.json\n\n"
		"Renders the charts of a run into DIR/charts/, DIR being the directory\n"
		"holding results.json; the data files gnuplot reads are written to\n"
		"DIR/charts/data/. Needs gnuplot on PATH (with its cairo terminals, as\n"
		"Debian's gnuplot-nox has). Scripts come from scripts/ beside the build, or\n"
		"$RINGSIDE_GNUPLOT_DIR.\n\n"
		"  --only KIND,...   only these charts (the kinds below)\n"
		"  --format LIST     png, svg and/or pdf (default png,svg; pdf for LaTeX)\n"
		"  --size W,H        in pixels (default 1200,750; 200 to 10000 each); a PDF\n"
		"                    page is W/72 by H/72 inches, its text placed as in the PNG\n"
		"  --mono            print-friendly: greys, dash and point types, fill patterns\n\n"
		"Charts (KIND: what it shows; per workload and size unless said):\n");
	for (const struct rpt_chart_kind *k = rpt_chart_kinds; k->name; k++)
		fprintf(f, "  %-19s %s%s%s%s\n", k->name, k->headline, k->when ? " [" : "",
			k->when ? k->when : "", k->when ? "]" : "");
	fprintf(f,
		"\nA chart whose figures are all null (probes off, cells skipped) or all 0\n"
		"(\"none measured\") is still written, showing only the note saying why.\n\n"
		"examples:\n"
		"  ringside plot results/20250101T100000Z-echo\n"
		"  ringside plot --only throughput,latency --format pdf --mono results/latest\n");
}

static unsigned long long parse_only(const char *arg)
{
	unsigned long long mask = 0;
	char buf[1024], *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		usage_error("plot: --only: list too long");
	if (!buf[0] || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		usage_error("plot: --only: empty chart kind in '%s'", arg);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct rpt_chart_kind *k = rpt_chart_kind_find(t);

		if (!k)
			usage_error("plot: --only: no chart kind '%s'", t);
		mask |= 1ULL << (k - rpt_chart_kinds);
	}
	return mask;
}

static unsigned parse_formats(const char *arg)
{
	unsigned set = 0;
	char buf[256], *save = NULL;
	size_t i;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		usage_error("plot: --format: list too long");
	if (!buf[0] || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		usage_error("plot: --format: empty format in '%s'", arg);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NFORMATS && strcmp(formats[i].ext, t); i++)
			;
		if (i == NFORMATS)
			usage_error("plot: --format: '%s' is not png, svg or pdf", t);
		set |= formats[i].fmt;
	}
	return set;
}

static void parse_size(const char *arg, struct rpt_plot_opts *o)
{
	unsigned long v[2];
	int n = 0;

	if (parse_uint_list(arg, v, 2, &n, 200, 10000) < 0 || n != 2)
		usage_error("plot: --size: want W,H in pixels, each 200 to 10000: '%s'", arg);
	o->width = (int)v[0];
	o->height = (int)v[1];
}

/* "DIR/charts/NAME.png, .svg and .pdf" */
static void print_chart(const struct rpt_doc *doc, const struct rpt_chart *ch, unsigned fmts)
{
	int left = 0, done = 0;
	const char *nl;

	for (size_t i = 0; i < NFORMATS; i++)
		left += !!(fmts & formats[i].fmt);
	for (size_t i = 0; i < NFORMATS; i++) {
		if (!(fmts & formats[i].fmt))
			continue;
		if (!done)
			printf("%s/charts/%s.%s", doc->dir, ch->name, formats[i].ext);
		else
			printf("%s.%s", left - done == 1 ? " and " : ", ", formats[i].ext);
		done++;
	}
	if (ch->note[0]) {
		nl = strchr(ch->note, '\n');
		printf("  (%.*s%s)", nl ? (int)(nl - ch->note) : 200, ch->note, nl ? "; ..." : "");
	}
	printf("\n");
}

int cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"only", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, 'f'},
	    {"size", required_argument, NULL, 's'},
	    {"mono", no_argument, NULL, 'm'},
	    {0},
	};
	struct rpt_plot_opts o = RPT_PLOT_DEFAULTS;
	struct rpt_chart *charts;
	struct rpt_doc doc;
	int opt, n, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		case 'v':
			rs_verbose = 1;
			break;
		case 'o':
			o.kinds = parse_only(optarg);
			break;
		case 'f':
			o.formats = parse_formats(optarg);
			break;
		case 's':
			parse_size(optarg, &o);
			break;
		case 'm':
			o.mono = true;
			break;
		default:
			usage_error("plot: bad option or missing value: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		usage_error("plot: expected one DIR or results.json");
	rc = rpt_doc_load(argv[optind], &doc);
	if (rc)
		return rc;
	charts = calloc(RPT_MAX_CHARTS, sizeof(*charts));
	if (!charts) {
		rpt_doc_free(&doc);
		DIE("out of memory");
	}
	n = rpt_plot_with(&doc, &o, charts, RPT_MAX_CHARTS);
	for (int i = 0; i < n; i++)
		print_chart(&doc, &charts[i], o.formats);
	free(charts);
	rpt_doc_free(&doc);
	return n < 0 ? RS_EXIT_FAIL : RS_EXIT_OK;
}
