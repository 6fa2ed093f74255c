/*
 * `ringside plot`: charts from a results.json, as PNG (pngcairo) and SVG, in
 * DIR/charts. The data files come from report/chart.c; gnuplot renders them
 * with the scripts in scripts/ (or $RINGSIDE_GNUPLOT_DIR). No kernel features.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chart.h"
#include "cmd.h"
#include "fsio.h"
#include "log.h"

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

static int render(const struct rpt_chart *ch, const char *chartdir, const char *scripts)
{
	char vars[8192] = "", png[PATH_MAX + 128], svg[PATH_MAX + 128], tpng[PATH_MAX + 160],
	     tsvg[PATH_MAX + 160], script[PATH_MAX + 32];
	int notelines = 0, n;

	snprintf(png, sizeof(png), "%.*s/%s.png", PATH_MAX, chartdir, ch->name);
	snprintf(svg, sizeof(svg), "%.*s/%s.svg", PATH_MAX, chartdir, ch->name);
	fs_tmp_name(png, tpng, sizeof(tpng));
	fs_tmp_name(svg, tsvg, sizeof(tsvg));
	snprintf(script, sizeof(script), "%.*s/%.20s", PATH_MAX, scripts, ch->script);
	if (ch->note[0] && !ch->nodata)
		for (const char *p = ch->note; p; p = strchr(p + 1, '\n'))
			notelines++;
	n = snprintf(vars, sizeof(vars), "scripts=");
	rpt_gp_quote(vars, sizeof(vars), scripts);
#define VAR(name, val)                                                                             \
	do {                                                                                       \
		n = strlen(vars);                                                                  \
		snprintf(vars + n, sizeof(vars) - n, "; " name "=");                               \
		rpt_gp_quote(vars, sizeof(vars), val);                                             \
	} while (0)
	VAR("data", ch->data);
	VAR("png", tpng);
	VAR("svg", tsvg);
	VAR("title", ch->title);
	VAR("note", ch->note);
#undef VAR
	n = strlen(vars);
	snprintf(vars + n, sizeof(vars) - n, "; notelines=%d; nodata=%d; %s", notelines, ch->nodata,
		 ch->vars);
	if (strlen(vars) + 1 >= sizeof(vars)) {
		LOG_ERR("%s: chart variables too long", ch->name);
		return -1;
	}
	LOG_DBG("gnuplot -e '%s' %s", vars, script);
	if (run_gnuplot(vars, script) < 0)
		goto fail;
	if (fs_rename_into(tpng, png) < 0 || fs_rename_into(tsvg, svg) < 0)
		goto fail;
	return 0;
fail:
	unlink(tpng);
	unlink(tsvg);
	return -1;
}

int rpt_plot(const struct rpt_doc *doc, struct rpt_chart *out, int cap)
{
	char chartdir[PATH_MAX], datadir[PATH_MAX + 8], scripts[PATH_MAX];
	int n;

	if (find_gnuplot() < 0 || scripts_dir(scripts, sizeof(scripts)) < 0)
		return -1;
	snprintf(chartdir, sizeof(chartdir), "%.*s/charts", PATH_MAX - 16, doc->dir);
	snprintf(datadir, sizeof(datadir), "%s/data", chartdir);
	n = rpt_chart_all(doc, datadir, out, cap);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (render(&out[i], chartdir, scripts) < 0)
			return -1;
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ringside plot [--verbose] DIR|results.json\n\n"
		   "Renders every chart of a run as PNG (1200x750) and SVG into DIR/charts/,\n"
		   "DIR being the directory holding results.json; the data files gnuplot reads\n"
		   "are written to DIR/charts/data/. Needs gnuplot on PATH. Scripts come from\n"
		   "scripts/ beside the build, or $RINGSIDE_GNUPLOT_DIR.\n\n"
		   "Charts, per workload: throughput, syscalls, context-switches, latency, cpu,\n"
		   "probe-overhead, and for proxy runs tinygate and tinygate-p99; for rate\n"
		   "sweeps curve-p99, curve-p50 (latency vs achieved rate, knees and SLO marked)\n"
		   "and curve-cpu; with several sizes, throughput-by-size. A chart whose\n"
		   "figures are all null (probes off, cells skipped) is still written, showing\n"
		   "only the note saying why.\n\n"
		   "examples:\n"
		   "  ringside plot results/20250101T100000Z-echo\n"
		   "  ringside plot results/latest/results.json\n");
}

int cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"verbose", no_argument, NULL, 'v'},
	    {0},
	};
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
	n = rpt_plot(&doc, charts, RPT_MAX_CHARTS);
	if (n >= 0) {
		for (int i = 0; i < n; i++) {
			char *nl;

			printf("%s/charts/%s.png and .svg", doc.dir, charts[i].name);
			if (charts[i].note[0]) {
				nl = strchr(charts[i].note, '\n');
				printf("  (%.*s%s)", nl ? (int)(nl - charts[i].note) : 200,
				       charts[i].note, nl ? "; ..." : "");
			}
			printf("\n");
		}
	}
	free(charts);
	rpt_doc_free(&doc);
	return n < 0 ? RS_EXIT_FAIL : RS_EXIT_OK;
}
