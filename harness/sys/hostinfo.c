/*
 * Host and environment facts for results.json "host" and for `ringside doctor`:
 * uname, CPU model and count, memory, io_uring_disabled, the cpufreq governor,
 * CPU vulnerability mitigations, whether the kernel accounts irq time apart
 * (CONFIG_IRQ_TIME_ACCOUNTING), and versions of the libraries and tools (the peers'
 * version commands come from the caller: run/servers/peers.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <jansson.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys/hostinfo.h"
#include "log.h"

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *hostinfo_read_line(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return strdup(trim(buf));
}

char *hostinfo_cmd_line(const char *cmd)
{
	char buf[512];
	FILE *p = popen(cmd, "re");
	char *line = NULL;

	if (!p)
		return NULL;
	if (fgets(buf, sizeof(buf), p) && *trim(buf))
		line = strdup(trim(buf));
	while (fgets(buf, sizeof(buf), p)) /* drain so the child exits cleanly */
		;
	if (pclose(p) == -1) {
		free(line);
		return NULL;
	}
	return line;
}

/* The first token that starts with a digit after "prefix" in s (e.g. "nginx/1.22.1"). */
static char *version_after(const char *s, const char *prefix)
{
	const char *p = s ? strstr(s, prefix) : NULL;
	size_t n;

	if (!p)
		return NULL;
	p += strlen(prefix);
	while (*p && !isdigit((unsigned char)*p))
		p++;
	n = strcspn(p, " \t\n,[]()");
	return n ? strndup(p, n) : NULL;
}

/* Tools that are not peers; the peers' rows come from the caller (servers/peers.h). */
static const struct hostinfo_tool own_tools[] = {
    {.name = "wrk", .cmd = "wrk -v 2>&1", .after = "wrk "},
    {.name = "gnuplot", .cmd = "gnuplot --version 2>&1", .after = "gnuplot "},
    {.name = "libbpf",
     .cmd = "dpkg-query -W -f='${Version}' libbpf1 2>/dev/null",
     .after = "",
     .drop_epoch = true},
    {0},
};

char *hostinfo_version(const struct hostinfo_tool *t)
{
	char *line = hostinfo_cmd_line(t->cmd), *v = version_after(line, t->after);

	free(line);
	if (v && t->drop_epoch && strchr(v, ':')) { /* the Debian epoch "1:" */
		char *rest = strdup(strchr(v, ':') + 1);

		free(v);
		v = rest;
	}
	return v;
}

static const struct hostinfo_tool *tool_row(const struct hostinfo_tool *rows, const char *tool)
{
	for (; rows && rows->name; rows++)
		if (!strcmp(rows->name, tool))
			return rows;
	return NULL;
}

char *hostinfo_tool_version(const char *tool, const struct hostinfo_tool *more)
{
	const struct hostinfo_tool *t = tool_row(own_tools, tool);

	if (!t)
		t = tool_row(more, tool);
	return t ? hostinfo_version(t) : NULL;
}

const char *hostinfo_liburing_version(void)
{
#if defined(IO_URING_VERSION_MAJOR) && defined(IO_URING_VERSION_MINOR)
	static char buf[32];

	snprintf(buf, sizeof(buf), "%d.%d", IO_URING_VERSION_MAJOR, IO_URING_VERSION_MINOR);
	return buf;
#elif defined(RS_LIBURING_VERSION)
	/* liburing < 2.4 has no version macros; CMake passes pkg-config's. */
	return RS_LIBURING_VERSION;
#else
	return NULL;
#endif
}

static char *cpu_model(void)
{
	char buf[512];
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *model = NULL;

	if (!f)
		return NULL;
	while (!model && fgets(buf, sizeof(buf), f)) {
		char *colon = strchr(buf, ':');

		if (colon && (!strncmp(buf, "model name", 10) || !strncmp(buf, "Model", 5)))
			model = strdup(trim(colon + 1));
	}
	fclose(f);
	return model;
}

static json_t *str_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null();
}

static json_t *mitigations(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	json_t *m = json_object();
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return m;
	while ((de = readdir(d))) {
		char path[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		json_object_set_new(m, de->d_name, str_or_null(hostinfo_read_line(path)));
	}
	closedir(d);
	return m;
}

/* 1 =y, 0 "is not set" (or absent from a complete config), -1 when f says nothing. */
static int irq_time_in(FILE *f)
{
	const char *opt = "CONFIG_IRQ_TIME_ACCOUNTING";
	char line[256];
	int seen = -1, any = 0;

	while (fgets(line, sizeof(line), f)) {
		any = 1;
		if (!strncmp(line, opt, strlen(opt)) && line[strlen(opt)] == '=')
			seen = line[strlen(opt) + 1] == 'y';
		else if (!strncmp(line, "# ", 2) && !strncmp(line + 2, opt, strlen(opt)) &&
			 line[2 + strlen(opt)] == ' ')
			seen = 0;
	}
	return seen >= 0 ? seen : any ? 0 : -1;
}

int hostinfo_irq_time_accounting(void)
{
	char path[300];
	struct utsname u;
	FILE *f;
	int v = -1;

	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	if (f) {
		v = irq_time_in(f);
		fclose(f);
		if (v >= 0)
			return v;
	}
	if (access("/proc/config.gz", R_OK))
		return -1;
	f = popen("gzip -dc /proc/config.gz 2>/dev/null", "re");
	if (!f)
		return -1;
	v = irq_time_in(f);
	if (pclose(f) != 0)
		return -1; /* a config cut short says nothing */
	return v;
}

/* An integer sysctl or sysfs value, null when unreadable. */
static json_t *int_file(const char *path)
{
	char *s = hostinfo_read_line(path);
	json_t *j = s ? json_integer(strtoll(s, NULL, 10)) : json_null();

	free(s);
	return j;
}

json_t *hostinfo_loopback_json(void)
{
	return json_pack(
	    "{s:o,s:o,s:o,s:o}", "tcp_congestion_control",
	    str_or_null(hostinfo_read_line("/proc/sys/net/ipv4/tcp_congestion_control")),
	    "rps_cpus", str_or_null(hostinfo_read_line("/sys/class/net/lo/queues/rx-0/rps_cpus")),
	    "rps_flow_cnt", int_file("/sys/class/net/lo/queues/rx-0/rps_flow_cnt"),
	    "rps_sock_flow_entries", int_file("/proc/sys/net/core/rps_sock_flow_entries"));
}

json_t *hostinfo_cpuidle_json(void)
{
	json_t *states = json_array();
	char path[128];

	for (int i = 0; i < 16; i++) {
		char *name;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cpuidle/state%d/name",
			 i);
		name = hostinfo_read_line(path);
		if (!name)
			break;
		json_array_append_new(states, json_string(name));
		free(name);
	}
	return json_pack(
	    "{s:o,s:o,s:o,s:o}", "driver",
	    str_or_null(hostinfo_read_line("/sys/devices/system/cpu/cpuidle/current_driver")),
	    "governor",
	    str_or_null(hostinfo_read_line("/sys/devices/system/cpu/cpuidle/current_governor_ro")),
	    "states", states, "guest_halt_poll_ns",
	    int_file("/sys/module/haltpoll/parameters/guest_halt_poll_ns"));
}

char *hostinfo_hypervisor(void)
{
	char line[4096], *vendor = NULL;
	bool flag = false, known = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		known = true;
		flag = strstr(line, " hypervisor") != NULL;
		break;
	}
	if (f)
		fclose(f);
	vendor = hostinfo_read_line("/sys/hypervisor/type");
	if (vendor)
		return vendor;
#if defined(__x86_64__) || defined(__i386__)
	if (flag) {
		unsigned int r[4];
		char id[13] = "";

		__asm__ volatile("cpuid"
				 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
				 : "a"(0x40000000), "c"(0));
		memcpy(id, &r[1], 4);
		memcpy(id + 4, &r[2], 4);
		memcpy(id + 8, &r[3], 4);
		return strdup(id[0] ? id : "unknown hypervisor");
	}
#endif
	if (flag)
		return strdup("unknown hypervisor");
	return known ? strdup("") : NULL;
}

json_t *hostinfo_json(const struct hostinfo_tool *more)
{
	json_t *h = json_object(), *v = json_object();
	const char *uring = hostinfo_liburing_version();
	char host[256] = "", *s;
	struct utsname u;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	int irq;

	uname(&u);
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(h, "hostname", json_string(host));
	json_object_set_new(h, "kernel", json_string(u.release));
	json_object_set_new(h, "kernel_version", json_string(u.version));
	json_object_set_new(h, "arch", json_string(u.machine));
	json_object_set_new(h, "cpu_model", str_or_null(cpu_model()));
	json_object_set_new(h, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(h, "memory_kib",
			    pages > 0 && psz > 0 ? json_integer((json_int_t)pages * psz / 1024)
						 : json_null());
	s = hostinfo_read_line("/proc/sys/kernel/io_uring_disabled");
	json_object_set_new(h, "io_uring_disabled", s ? json_integer(atoi(s)) : json_null());
	free(s);
	json_object_set_new(h, "governor",
			    str_or_null(hostinfo_read_line(
				"/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
	json_object_set_new(h, "mitigations", mitigations());
	json_object_set_new(h, "cpuidle", hostinfo_cpuidle_json());
	s = hostinfo_hypervisor();
	json_object_set_new(h, "hypervisor", s ? json_string(s) : json_null());
	free(s);
	irq = hostinfo_irq_time_accounting();
	json_object_set_new(h, "irq_time_accounting", irq < 0 ? json_null() : json_boolean(irq));
	json_object_set_new(h, "loopback", hostinfo_loopback_json());
	json_object_set_new(v, "ringside", json_string(RINGSIDE_VERSION));
	json_object_set_new(v, "liburing", uring ? json_string(uring) : json_null());
	json_object_set_new(v, "jansson", json_string(JANSSON_VERSION));
	json_object_set_new(v, "libbpf", str_or_null(hostinfo_tool_version("libbpf", NULL)));
	for (; more && more->name; more++)
		json_object_set_new(v, more->name, str_or_null(hostinfo_version(more)));
	json_object_set_new(v, "wrk", str_or_null(hostinfo_tool_version("wrk", NULL)));
	json_object_set_new(h, "versions", v);
	return h;
}
