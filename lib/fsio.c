/* Atomic output files, mkdir -p, fresh directories, the executable's directory: see fsio.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsio.h"
#include "log.h"

void fs_tmp_name(const char *path, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s.tmp.%d", path, (int)getpid());
}

static void sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int fs_rename_into(const char *tmp, const char *path)
{
	if (rename(tmp, path) < 0) {
		PLOG_ERR("cannot rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	sync_dir_of(path);
	return 0;
}

FILE *fs_out_open(struct fs_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (!strcmp(path, "-")) {
		o->is_stdout = true;
		o->f = stdout;
		return o->f;
	}
	fs_tmp_name(path, o->tmp, sizeof(o->tmp));
	o->f = fopen(o->tmp, "we");
	if (!o->f)
		PLOG_ERR("cannot write %s", o->tmp);
	return o->f;
}

int fs_out_commit(struct fs_out *o)
{
	int bad;

	if (o->is_stdout) {
		o->f = NULL;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			PLOG_ERR("cannot write to standard output");
			return -1;
		}
		return 0;
	}
	bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
	if (fclose(o->f) != 0 || bad) {
		o->f = NULL;
		PLOG_ERR("cannot write %s", o->tmp);
		unlink(o->tmp);
		return -1;
	}
	o->f = NULL;
	return fs_rename_into(o->tmp, o->path);
}

void fs_out_abort(struct fs_out *o)
{
	if (o->is_stdout) {
		o->f = NULL;
		return;
	}
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
}

int fs_mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
				PLOG_ERR("cannot create %s", buf);
				return -1;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

const char *fs_exe_dir(void)
{
	static char dir[PATH_MAX];

	if (!dir[0]) {
		ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		char *slash;

		if (n <= 0) {
			strcpy(dir, ".");
		} else {
			dir[n] = '\0';
			slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
		}
	}
	return dir;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

int fs_mkdir_fresh(const char *base, char *out, size_t len)
{
	if (mkdir_parents(base)) {
		PLOG_ERR("cannot create the parents of %s", base);
		return -1;
	}
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(out, len, "%s", base);
		else
			snprintf(out, len, "%s-%d", base, i);
		if (!mkdir(out, 0755))
			return 0;
		if (errno != EEXIST) {
			PLOG_ERR("cannot create %s", out);
			return -1;
		}
		/* An existing empty directory (e.g. from mktemp -d) is fine to use. */
		if (i == 1 && dir_is_empty(out))
			return 0;
	}
	LOG_ERR("cannot find a free name for %s", base);
	return -1;
}
