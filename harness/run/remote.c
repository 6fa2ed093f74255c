/*
 * Remote load generators, the setup half (remote.h): parsing --client-host,
 * --client-exec and the ssh options, the command line each host's commands run
 * under, and the bounded one-shot commands that make a host ready (mktemp -d,
 * the copy, --version) and clean it up. remote_run.c runs and merges the load.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remote.h"
#include "remote_cmd.h"
#include "fsio.h"
#include "log.h"
#include "clock.h"

#define STEP_EXTRA_S 10 /* each ssh step's deadline: ConnectTimeout plus this */

int remote_add_host(struct remote_set *s, const char *spec, char *why, size_t len)
{
	struct remote_host *h;
	const char *colon = strrchr(spec, ':');
	size_t hostlen = strlen(spec);

	if (s->n == REMOTE_MAX) {
		snprintf(why, len, "at most %d --client-host/--client-exec", REMOTE_MAX);
		return -1;
	}
	h = &s->h[s->n];
	memset(h, 0, sizeof(*h));
	h->spec = spec;
	h->ssh = true;
	/* HOST:PORT when exactly one colon; an IPv6 address as [ADDR]:PORT or bare. */
	if (colon && (strchr(spec, ':') == colon || colon[-1] == ']')) {
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);

		if (!colon[1] || *end || p < 1 || p > 65535) {
			snprintf(why, len, "invalid --client-host '%s': the port must be 1..65535",
				 spec);
			return -1;
		}
		h->port = (unsigned)p;
		hostlen = (size_t)(colon - spec);
	}
	if (!hostlen || hostlen >= sizeof(h->dest) || spec[0] == '-' ||
	    strcspn(spec, " \t\n'\"\\;&|$`") < strlen(spec)) {
		snprintf(why, len, "invalid --client-host '%s': expected [USER@]HOST[:SSHPORT]",
			 spec);
		return -1;
	}
	memcpy(h->dest, spec, hostlen);
	h->dest[hostlen] = '\0';
	/* ssh takes a bare IPv6 address, not the [ADDR] form. */
	if (h->dest[0] == '[' || strstr(h->dest, "@[")) {
		char *lb = strchr(h->dest, '['), *rb = strchr(h->dest, ']');

		if (!rb || rb[1]) {
			snprintf(why, len, "invalid --client-host '%s'", spec);
			return -1;
		}
		*rb = '\0';
		memmove(lb, lb + 1, strlen(lb + 1) + 1);
	}
	s->n++;
	return 0;
}

int remote_add_exec(struct remote_set *s, const char *prefix, char *why, size_t len)
{
	struct remote_host *h;
	char *save = NULL, *w;

	if (s->n == REMOTE_MAX) {
		snprintf(why, len, "at most %d --client-host/--client-exec", REMOTE_MAX);
		return -1;
	}
	h = &s->h[s->n];
	memset(h, 0, sizeof(*h));
	h->spec = prefix;
	if (strlen(prefix) >= sizeof(h->store)) {
		snprintf(why, len, "--client-exec '%.40s...' is too long", prefix);
		return -1;
	}
	strcpy(h->store, prefix);
	for (w = strtok_r(h->store, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (h->nwords == REMOTE_WORDS - 1) {
			snprintf(why, len, "--client-exec '%s' has too many words", prefix);
			return -1;
		}
		h->words[h->nwords++] = w;
	}
	if (!h->nwords) {
		snprintf(why, len,
			 "--client-exec needs a command prefix, e.g. 'ip netns exec ns1'");
		return -1;
	}
	s->n++;
	return 0;
}

static int add_ssh_word(struct remote_set *s, const char *w, char *why, size_t len)
{
	if (s->nssh_opts == REMOTE_SSH_OPTS) {
		snprintf(why, len, "too many ssh options (at most %d words)", REMOTE_SSH_OPTS);
		return -1;
	}
	s->ssh_opts[s->nssh_opts++] = w;
	return 0;
}

int remote_add_ssh_option(struct remote_set *s, const char *opt, char *why, size_t len)
{
	if (!strchr(opt, '=') || opt[0] == '=' || opt[0] == '-') {
		snprintf(why, len, "invalid --ssh-option '%s': expected KEY=VALUE (ssh -o)", opt);
		return -1;
	}
	if (add_ssh_word(s, "-o", why, len))
		return -1;
	return add_ssh_word(s, opt, why, len);
}

/* The absolute path of a command: as given if it has a slash, else from $PATH. */
static int which(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[4096], *save = NULL, *d;

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return access(out, X_OK);
	}
	snprintf(buf, sizeof(buf), "%s:/usr/sbin:/usr/bin:/sbin:/bin",
		 path && *path ? path : "/usr/local/bin");
	for (d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, cmd);
		if (!access(out, X_OK))
			return 0;
	}
	out[0] = '\0';
	return -1;
}

int remote_finish(struct remote_set *s, char *why, size_t len)
{
	const char *env = getenv("RINGSIDE_SSH_OPTS");
	const char *user[REMOTE_SSH_OPTS];
	int nuser = s->nssh_opts;
	bool any_ssh = false;
	char *save = NULL, *w;

	/* RINGSIDE_SSH_OPTS first, then the --ssh-option words: ssh keeps the first value. */
	memcpy(user, s->ssh_opts, sizeof(user));
	s->nssh_opts = 0;
	if (env && strlen(env) >= sizeof(s->env_store)) {
		snprintf(why, len, "RINGSIDE_SSH_OPTS is too long");
		return -1;
	}
	snprintf(s->env_store, sizeof(s->env_store), "%s", env ? env : "");
	for (w = strtok_r(s->env_store, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (add_ssh_word(s, w, why, len))
			return -1;
	for (int i = 0; i < nuser; i++)
		if (add_ssh_word(s, user[i], why, len))
			return -1;
	snprintf(s->local_load, sizeof(s->local_load), "%s/ringside-load", fs_exe_dir());
	for (int i = 0; i < s->n; i++) {
		struct remote_host *h = &s->h[i];
		char path[PATH_MAX];

		any_ssh |= h->ssh;
		if (!h->ssh && which(h->words[0], path, sizeof(path))) {
			snprintf(why, len, "--client-exec '%s': cannot find %s", h->spec,
				 h->words[0]);
			return -1;
		}
	}
	if (any_ssh && which("ssh", s->ssh, sizeof(s->ssh))) {
		snprintf(why, len, "--client-host needs ssh (apt-get install openssh-client)");
		return -1;
	}
	return 0;
}

unsigned long remote_share(unsigned long total, int n, int i)
{
	return total / (unsigned long)n + ((unsigned long)i < total % (unsigned long)n);
}

double remote_rate_share(double rate, int n, int i)
{
	double whole = (double)(unsigned long long)rate;
	unsigned long long w = (unsigned long long)whole;
	double share = (double)(w / (unsigned)n + ((unsigned)i < w % (unsigned)n));

	return i == 0 ? share + (rate - whole) : share;
}

void remote_target(const char *addr, unsigned port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}

json_t *remote_config_json(const struct remote_set *s, const struct run_opts *o)
{
	json_t *all = json_array();
	int n = s ? s->n : 1;

	for (int i = 0; i < n; i++) {
		const struct remote_host *h = s ? &s->h[i] : NULL;
		json_t *c = json_object(), *conns = json_array();

		for (int k = 0; k < o->nconns; k++)
			json_array_append_new(conns, json_integer(remote_share(o->conns[k], n, i)));
		json_object_set_new(c, "host", h && h->ssh ? json_string(h->spec) : json_null());
		json_object_set_new(c, "exec", h && !h->ssh ? json_string(h->spec) : json_null());
		json_object_set_new(c, "address",
				    json_string(s		 ? s->server_addr
						: o->server_addr ? o->server_addr
								 : "127.0.0.1"));
		json_object_set_new(c, "connections", conns);
		json_object_set_new(c, "rate",
				    o->rate > 0 ? json_real(remote_rate_share(o->rate, n, i))
						: json_null());
		json_array_append_new(all, c);
	}
	return all;
}

/* Single-quotes s for a POSIX shell into out; -1 if it does not fit. */
static int sh_quote(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (cap < 3)
		return -1;
	out[n++] = '\'';
	for (; *s; s++) {
		const char *piece = *s == '\'' ? "'\\''" : NULL;
		size_t plen = piece ? 4 : 1;

		if (n + plen + 2 > cap)
			return -1;
		if (piece)
			memcpy(out + n, piece, plen);
		else
			out[n] = *s;
		n += plen;
	}
	out[n++] = '\'';
	out[n] = '\0';
	return 0;
}

int remote_argv(const struct remote_set *s, const struct remote_host *h, const char *const *words,
		const char *shell_cmd, struct remote_argv *a)
{
	size_t used = 0;

	a->n = 0;
#define PUSH(x)                                                                                    \
	do {                                                                                       \
		if (a->n == REMOTE_ARGV_MAX - 1)                                                   \
			return -1;                                                                 \
		a->argv[a->n++] = (char *)(x);                                                     \
	} while (0)
	if (!h->ssh) {
		/* execv needs a path: the prefix's first word through $PATH. */
		if (which(h->words[0], a->arg0, sizeof(a->arg0)))
			return -1;
		PUSH(a->arg0);
		for (int i = 1; i < h->nwords; i++)
			PUSH(h->words[i]);
		for (int i = 0; words && words[i]; i++)
			PUSH(words[i]);
		a->argv[a->n] = NULL;
		return shell_cmd ? -1 : 0; /* a shell command needs a shell: ssh only */
	}
	PUSH(s->ssh);
	PUSH("-T");
	for (int i = 0; i < s->nssh_opts; i++)
		PUSH(s->ssh_opts[i]);
	/* After the user's options, so that theirs (ControlMaster=no, say) win. */
	if (s->ctl_dir[0]) {
		snprintf(a->ctl, sizeof(a->ctl), "ControlPath=%s/%%C", s->ctl_dir);
		PUSH("-o");
		PUSH("ControlMaster=auto");
		PUSH("-o");
		PUSH(a->ctl);
		PUSH("-o");
		PUSH("ControlPersist=" REMOTE_PERSIST_S);
	}
	snprintf(a->timeout, sizeof(a->timeout), "ConnectTimeout=%.0f",
		 s->connect_timeout_s < 1 ? 1 : s->connect_timeout_s);
	PUSH("-o");
	PUSH("BatchMode=yes");
	PUSH("-o");
	PUSH(a->timeout);
	if (h->port) {
		snprintf(a->port, sizeof(a->port), "%u", h->port);
		PUSH("-p");
		PUSH(a->port);
	}
	PUSH(h->dest);
	/* ssh hands its command to the remote shell as one string: quote every word. */
	if (shell_cmd) {
		snprintf(a->cmd, sizeof(a->cmd), "%s", shell_cmd);
	} else {
		a->cmd[0] = '\0';
		for (int i = 0; words && words[i]; i++) {
			used = strlen(a->cmd);
			if (used && used + 1 < sizeof(a->cmd))
				a->cmd[used++] = ' ';
			if (sh_quote(words[i], a->cmd + used, sizeof(a->cmd) - used))
				return -1;
		}
	}
	PUSH(a->cmd);
	a->argv[a->n] = NULL;
#undef PUSH
	return 0;
}

/*
 * Runs one command on host h to its end, within deadline_s: stdin from in_fd
 * (-1: /dev/null), stdout into *out (caller frees; may be NULL). 0 when it
 * exited 0; else -1 with why = "STEP on HOST: LAST STDERR LINE".
 */
static int run_step(const struct remote_set *s, const struct remote_host *h, const char *step,
		    const char *const *words, const char *shell_cmd, int in_fd, char **out,
		    bool interruptible, char *why, size_t len)
{
	double limit = s->connect_timeout_s + STEP_EXTRA_S;
	uint64_t deadline = now_ns() + (uint64_t)(limit * 1e9);
	struct remote_argv a;
	struct proc_child c;
	char last[200], how[96];
	bool done = false;

	if (out)
		*out = NULL;
	if (remote_argv(s, h, words, shell_cmd, &a)) {
		snprintf(why, len, "%s on %s: cannot build its command line", step, h->spec);
		return -1;
	}
	if (proc_spawn_io(&c, step, a.argv, in_fd, -1, -1, NULL)) {
		snprintf(why, len, "%s on %s: cannot start %s", step, h->spec, a.argv[0]);
		return -1;
	}
	while (!done) {
		struct pollfd pf = {.fd = c.pidfd, .events = POLLIN};

		if ((interruptible && run_interrupted) || now_ns() >= deadline)
			break;
		poll(&pf, 1, 100);
		done = proc_try_reap(&c);
	}
	if (!done) {
		proc_stop(&c, 1000);
		proc_last_line(c.err_fd, last, sizeof(last));
		snprintf(why, len, "%s on %s: %s%s%s", step, h->spec,
			 run_interrupted && interruptible ? "interrupted" : "timed out",
			 last[0] ? ": " : "", last);
		if (!(run_interrupted && interruptible))
			snprintf(why + strlen(why), len - strlen(why), " (after %.0f s)", limit);
		proc_release(&c);
		return -1;
	}
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0) {
		proc_last_line(c.err_fd, last, sizeof(last));
		proc_describe(c.status, how, sizeof(how));
		snprintf(why, len, "%s on %s: %s", step, h->spec, last[0] ? last : how);
		proc_release(&c);
		return -1;
	}
	if (out)
		*out = proc_read_all(c.out_fd);
	proc_release(&c);
	return 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* mktemp -d there, then the binary through ssh's stdin. */
static int copy_load(struct remote_set *s, struct remote_host *h, char *why, size_t len)
{
	const char *mk[] = {"mktemp", "-d", "/tmp/ringside-load.XXXXXXXX", NULL};
	char *out = NULL, cmd[2 * PATH_MAX + 64], qpath[PATH_MAX + 16];
	int fd, rc;

	if (run_step(s, h, "creating a temporary directory", mk, NULL, -1, &out, true, why, len))
		return -1;
	chomp(out ? out : "");
	if (!out || strncmp(out, "/tmp/ringside-load.", 19) || strlen(out) >= sizeof(h->dir) ||
	    strcspn(out, " '\"\\\n") < strlen(out)) {
		snprintf(why, len, "creating a temporary directory on %s: mktemp printed '%.60s'",
			 h->spec, out ? out : "");
		free(out);
		return -1;
	}
	snprintf(h->dir, sizeof(h->dir), "%s", out);
	free(out);
	snprintf(h->load, sizeof(h->load), "%s/ringside-load", h->dir);
	if (sh_quote(h->load, qpath, sizeof(qpath)))
		return -1;
	snprintf(cmd, sizeof(cmd), "cat > %s && chmod 700 %s", qpath, qpath);
	fd = open(s->local_load, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "cannot read %s: %s", s->local_load, strerror(errno));
		return -1;
	}
	rc = run_step(s, h, "copying ringside-load", NULL, cmd, fd, NULL, true, why, len);
	close(fd);
	return rc;
}

int remote_prepare(struct remote_set *s, char *why, size_t len)
{
	char want[64];

	snprintf(want, sizeof(want), "ringside-load %s", RINGSIDE_VERSION);
	for (int i = 0; i < s->n && !s->ctl_dir[0]; i++) {
		if (!s->h[i].ssh)
			continue;
		snprintf(s->ctl_dir, sizeof(s->ctl_dir), "/tmp/ringside-ssh.XXXXXX");
		if (!mkdtemp(s->ctl_dir)) {
			LOG_WARN("mkdtemp %s: %s: one ssh connection per step", s->ctl_dir,
				 strerror(errno));
			s->ctl_dir[0] = '\0';
			break;
		}
	}
	for (int i = 0; i < s->n; i++) {
		struct remote_host *h = &s->h[i];
		const char *ver[] = {h->load, "--version", NULL};
		char *out = NULL;

		if (h->ready)
			continue;
		if (s->remote_load)
			snprintf(h->load, sizeof(h->load), "%s", s->remote_load);
		else if (!h->ssh)
			snprintf(h->load, sizeof(h->load), "%s", s->local_load);
		else if (!h->dir[0] && copy_load(s, h, why, len))
			return -1;
		if (run_step(s, h, "ringside-load --version", ver, NULL, -1, &out, true, why, len))
			return -1;
		chomp(out ? out : "");
		if (!out || strcmp(out, want)) {
			snprintf(why, len,
				 "%s on %s prints '%.60s', not '%s': install the same version, or "
				 "leave out --remote-load to copy this one",
				 h->load, h->spec, out ? out : "", want);
			free(out);
			return -1;
		}
		free(out);
		h->ready = true;
	}
	return 0;
}

/*
 * ssh -O exit for each ssh host's master (with the user's options, which may
 * change what ControlPath's %C hashes), bounded, then the directory (a master
 * removes its socket as it exits; anything left is unlinked).
 */
static void end_masters(struct remote_set *s)
{
	char ctl[96], port[16], path[PATH_MAX];
	char *argv[REMOTE_SSH_OPTS + 12];
	struct dirent *e;
	DIR *d;

	snprintf(ctl, sizeof(ctl), "ControlPath=%s/%%C", s->ctl_dir);
	/* A ControlPath or ControlMaster of the user's wins: their master is not ours to end. */
	for (int k = 0; k < s->nssh_opts; k++)
		if (strcasestr(s->ssh_opts[k], "ControlPath") ||
		    strcasestr(s->ssh_opts[k], "ControlMaster"))
			goto dir;
	for (int i = 0; i < s->n; i++) {
		struct remote_host *h = &s->h[i];
		uint64_t deadline = now_ns() + 3000000000ull;
		struct proc_child c;
		int n = 0;

		if (!h->ssh)
			continue;
		argv[n++] = s->ssh;
		for (int k = 0; k < s->nssh_opts; k++)
			argv[n++] = (char *)s->ssh_opts[k];
		argv[n++] = "-o";
		argv[n++] = ctl;
		argv[n++] = "-o";
		argv[n++] = "BatchMode=yes";
		if (h->port) {
			snprintf(port, sizeof(port), "%u", h->port);
			argv[n++] = "-p";
			argv[n++] = port;
		}
		argv[n++] = "-O";
		argv[n++] = "exit";
		argv[n++] = h->dest;
		argv[n] = NULL;
		if (proc_spawn_io(&c, "ssh -O exit", argv, -1, -1, -1, NULL))
			continue;
		while (!proc_try_reap(&c) && now_ns() < deadline) {
			struct pollfd pf = {.fd = c.pidfd, .events = POLLIN};

			poll(&pf, 1, 100);
		}
		if (!c.reaped)
			proc_stop(&c, 500);
		proc_release(&c);
	}
dir:
	d = opendir(s->ctl_dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->ctl_dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	if (rmdir(s->ctl_dir))
		LOG_WARN("rmdir %s: %s", s->ctl_dir, strerror(errno));
	s->ctl_dir[0] = '\0';
}

void remote_cleanup(struct remote_set *s)
{
	for (int i = 0; s && i < s->n; i++) {
		struct remote_host *h = &s->h[i];
		const char *rm[] = {"rm", "-rf", h->dir, NULL};
		char why[320];

		if (!h->dir[0])
			continue;
		if (run_step(s, h, "removing the temporary directory", rm, NULL, -1, NULL, false,
			     why, sizeof(why)))
			LOG_WARN("%s", why);
		h->dir[0] = '\0';
		h->ready = false;
	}
	if (s && s->ctl_dir[0])
		end_masters(s);
}
