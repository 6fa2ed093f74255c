/*
 * `ringside doctor`'s noise section: what on this machine could disturb the
 * server CPUs (governor, SMT siblings, steal, busy processes, IRQ affinity,
 * transparent hugepages, irq time accounting). Reads /proc and /sys only; an
 * unreadable source gives an "unknown" line, never a failure.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/doctor.h"
#include "opts.h"
#include "sys/hostinfo.h"

void doctor_row(const char *what, const char *status, const char *detail)
{
	printf("  %-26s %-5s %s\n", what, status, detail ? detail : "");
}

#define BUSY_SAMPLE_MS 200
#define BUSY_MIN_PCT   5.0
#define BUSY_TOP       5
#define BUSY_MAX_PIDS  4096

/* "0-3,8": unlike parse_cpu_list, CPUs that are offline (or absent) are fine here. */
static int affinity_list(const char *s, cpu_set_t *out)
{
	CPU_ZERO(out);
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			return -1;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && c >= 0 && c < CPU_SETSIZE; c++)
			CPU_SET(c, out);
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return 0;
}

static void governor(const cpu_set_t *server)
{
	char path[128], detail[256] = "", *g;
	bool all_perf = true, any = false, cpufreq = false;
	size_t used = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE && used + 40 < sizeof(detail); cpu++) {
		if (!CPU_ISSET(cpu, server))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
		g = hostinfo_read_line(path);
		used += snprintf(detail + used, sizeof(detail) - used, "%scpu%d %s",
				 any ? ", " : "", cpu, g ? g : "(no cpufreq)");
		all_perf &= g && !strcmp(g, "performance");
		cpufreq |= g != NULL;
		any = true;
		free(g);
	}
	if (!cpufreq) /* a VM, or cpufreq not built: the host or firmware sets the clock */
		snprintf(detail, sizeof(detail), "no cpufreq: the host or firmware sets the clock");
	doctor_row("governor", all_perf ? "ok" : cpufreq ? "warn" : "", detail);
}

static void smt(const cpu_set_t *server)
{
	char path[128], detail[256] = "", *s;
	size_t used = 0;
	bool shared = false, unknown = false;

	for (int cpu = 0; cpu < CPU_SETSIZE && used + 60 < sizeof(detail); cpu++) {
		cpu_set_t sib;

		if (!CPU_ISSET(cpu, server))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu);
		s = hostinfo_read_line(path);
		if (!s || affinity_list(s, &sib)) {
			unknown = true;
		} else if (CPU_COUNT(&sib) > 1) {
			shared = true;
			used += snprintf(detail + used, sizeof(detail) - used,
					 "%scpu%d shares a core with %s", used ? "; " : "", cpu, s);
		}
		free(s);
	}
	if (!shared)
		snprintf(detail, sizeof(detail), "%s",
			 unknown ? "unknown (no thread_siblings_list)"
				 : "none: each server CPU has its core to itself");
	doctor_row("SMT siblings", shared || unknown ? "warn" : "ok", detail);
}

static void steal(void)
{
	unsigned long long v[8] = {0}, all = 0;
	char detail[128];
	FILE *f = fopen("/proc/stat", "re");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7])
		  : 0;

	if (f)
		fclose(f);
	for (int i = 0; i < 8; i++)
		all += v[i];
	if (n < 8 || !all) {
		doctor_row("steal since boot", "warn", "unknown (cannot read /proc/stat)");
		return;
	}
	snprintf(detail, sizeof(detail), "%.2f %% of all CPU time%s", 100.0 * v[7] / all,
		 v[7] ? " (a hypervisor runs others on these CPUs)" : "");
	doctor_row("steal since boot", 100.0 * v[7] / all > 2 ? "warn" : "ok", detail);
}

struct busy {
	int pid;
	unsigned long long ticks;
	char comm[32];
};

/* utime + stime of every process, and its comm; the count, or -1 if /proc is unreadable. */
static int scan_procs(struct busy *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) && n < max) {
		char path[300], buf[1024], *open, *close;
		unsigned long long ut, st;
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		close = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		open = close ? strchr(buf, '(') : NULL;
		if (!open ||
		    sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			   &st) != 2)
			continue;
		out[n].pid = atoi(de->d_name);
		out[n].ticks = ut + st;
		snprintf(out[n].comm, sizeof(out[n].comm), "%.*s", (int)(close - open - 1),
			 open + 1);
		n++;
	}
	closedir(d);
	return n;
}

static int by_ticks_desc(const void *a, const void *b)
{
	const struct busy *x = a, *y = b;

	return x->ticks < y->ticks ? 1 : x->ticks > y->ticks ? -1 : 0;
}

static void busy_procs(void)
{
	struct busy *a = calloc(BUSY_MAX_PIDS, sizeof(*a)), *b = calloc(BUSY_MAX_PIDS, sizeof(*b));
	struct timespec ts = {0, BUSY_SAMPLE_MS * 1000000L};
	double hz = (double)sysconf(_SC_CLK_TCK);
	char detail[400] = "";
	size_t used = 0;
	int na, nb, shown = 0;

	na = a ? scan_procs(a, BUSY_MAX_PIDS) : -1;
	nanosleep(&ts, NULL); /* a sampling interval, not synchronisation */
	nb = b && na >= 0 ? scan_procs(b, BUSY_MAX_PIDS) : -1;
	if (na < 0 || nb < 0) {
		doctor_row("busy processes", "warn", "unknown (cannot read /proc)");
		free(a);
		free(b);
		return;
	}
	for (int i = 0; i < nb; i++) {
		unsigned long long before = 0;
		bool seen = false;

		for (int j = 0; j < na && !seen; j++)
			if (a[j].pid == b[i].pid) {
				before = a[j].ticks;
				seen = true;
			}
		/* Born in the interval: all its time is new. Ourselves: not noise. */
		b[i].ticks = b[i].pid == getpid() || b[i].ticks < before ? 0 : b[i].ticks - before;
	}
	qsort(b, nb, sizeof(*b), by_ticks_desc);
	for (int i = 0; i < nb && shown < BUSY_TOP; i++) {
		double pct = 100.0 * b[i].ticks / hz / (BUSY_SAMPLE_MS / 1000.0);

		if (pct <= BUSY_MIN_PCT)
			break;
		used += snprintf(detail + used, sizeof(detail) - used, "%s%s (%d) %.0f %%",
				 shown ? ", " : "", b[i].comm, b[i].pid, pct);
		shown++;
	}
	if (!shown)
		snprintf(detail, sizeof(detail), "none above %.0f %% of a CPU over %d ms",
			 BUSY_MIN_PCT, BUSY_SAMPLE_MS);
	doctor_row("busy processes", shown ? "warn" : "ok", detail);
	free(a);
	free(b);
}

/* Counts IRQs whose smp_affinity_list meets server. -1 if /proc/irq is unreadable. */
static int irqs_on(const cpu_set_t *server)
{
	DIR *d = opendir("/proc/irq");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], *s;
		cpu_set_t aff, both;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", de->d_name);
		s = hostinfo_read_line(path);
		if (s && !affinity_list(s, &aff)) {
			CPU_AND(&both, &aff, server);
			n += CPU_COUNT(&both) > 0;
		}
		free(s);
	}
	closedir(d);
	return n;
}

/* The numbered IRQ of /proc/interrupts with the most interrupts on the server CPUs. */
static void busiest_irq(const cpu_set_t *server, char *buf, size_t len)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[4096], best_name[128] = "";
	unsigned long long best = 0;
	int cols[CPU_SETSIZE / 8], ncols = 0, best_irq = -1;
	char *tok, *save;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) /* "CPU0 CPU1 ...": which column is which CPU */
		for (tok = strtok_r(line, " \t\n", &save);
		     tok && ncols < (int)(sizeof(cols) / sizeof(cols[0]));
		     tok = strtok_r(NULL, " \t\n", &save))
			cols[ncols++] = atoi(tok + 3);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sum = 0;
		char *p = line, *end;
		int irq;

		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		irq = (int)strtol(p, &end, 10);
		if (*end != ':')
			continue;
		p = end + 1;
		for (int c = 0; c < ncols; c++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			if (cols[c] >= 0 && cols[c] < CPU_SETSIZE && CPU_ISSET(cols[c], server))
				sum += v;
			p = end;
		}
		if (sum > best) {
			char *nl = strchr(p, '\n'), *name;

			if (nl)
				*nl = '\0';
			/* The last word is the device name ("virtio3-rx"). */
			name = strrchr(p, ' ');
			best = sum;
			best_irq = irq;
			snprintf(best_name, sizeof(best_name), "%s", name ? name + 1 : p);
		}
	}
	fclose(f);
	if (best_irq >= 0)
		snprintf(buf, len, "; busiest there: IRQ %d %s, %llu since boot", best_irq,
			 best_name, best);
}

static void irq_affinity(const cpu_set_t *server)
{
	char list[128], busiest[200], detail[400];
	int n = irqs_on(server);

	format_cpu_list(server, list, sizeof(list));
	if (n < 0) {
		doctor_row("IRQs on server CPUs", "warn", "unknown (cannot read /proc/irq)");
		return;
	}
	busiest_irq(server, busiest, sizeof(busiest));
	snprintf(detail, sizeof(detail), "%d IRQ%s can land on CPU %s%s", n, n == 1 ? "" : "s",
		 list, busiest);
	doctor_row("IRQs on server CPUs", n ? "warn" : "ok", detail);
}

static void thp(void)
{
	char *s = hostinfo_read_line("/sys/kernel/mm/transparent_hugepage/enabled");
	char detail[128], *open = s ? strchr(s, '[') : NULL,
			  *close = open ? strchr(open, ']') : NULL;

	if (!close) {
		doctor_row("transparent hugepages", "", "unknown (no THP in sysfs)");
		free(s);
		return;
	}
	*close = '\0';
	snprintf(detail, sizeof(detail), "%s%s", open + 1,
		 !strcmp(open + 1, "always") ? " (khugepaged may compact under the server)" : "");
	doctor_row("transparent hugepages", strcmp(open + 1, "always") ? "ok" : "warn", detail);
	free(s);
}

static void irq_time(void)
{
	int v = hostinfo_irq_time_accounting();

	doctor_row("irq time accounting", "",
		   v < 0   ? "unknown (no /boot/config-* or /proc/config.gz)"
		   : v > 0 ? "on: softirq is charged to no process; see cpu_us_per_request_core"
			   : "off: softirq is charged to the process it interrupts");
}

/* Loopback's receive steering and congestion control: who pays a packet's receive path. */
static void loopback(void)
{
	json_t *l = hostinfo_loopback_json();
	const char *cc = json_string_value(json_object_get(l, "tcp_congestion_control"));
	const char *rps = json_string_value(json_object_get(l, "rps_cpus"));
	json_int_t flows = json_integer_value(json_object_get(l, "rps_sock_flow_entries"));
	bool steered = (rps && strspn(rps, "0,") != strlen(rps)) || flows > 0;
	char detail[256];

	snprintf(detail, sizeof(detail), "%s; congestion control %s",
		 !rps	   ? "lo's RPS unknown (no rps_cpus)"
		 : steered ? "RPS/RFS on: receive processing moves to the reader's CPU (figures "
			     "differ from plain loopback)"
			   : "plain (the sender's CPU runs the peer's receive path)",
		 cc ? cc : "unknown");
	doctor_row("loopback", steered ? "warn" : "", detail);
	json_decref(l);
}

void doctor_noise(const cpu_set_t *server)
{
	char list[128];

	format_cpu_list(server, list, sizeof(list));
	printf("\nnoise (server CPUs %s)\n", list);
	governor(server);
	smt(server);
	steal();
	busy_procs();
	irq_affinity(server);
	thp();
	irq_time();
	loopback();
}
