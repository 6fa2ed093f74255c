/*
 * A main() for the fuzz targets in builds without libFuzzer (gcc, the ASan build):
 * runs LLVMFuzzerTestOneInput once on each file named, or on each file of each
 * directory named, so seed corpora and regression inputs replay in every test run.
 * An invariant failure aborts; exit 1 if a file cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_FILE (1 << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_FILE);
	FUZZ_CHECK(buf != NULL);
	n = fread(buf, 1, REPLAY_MAX_FILE, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			err |= replay_file(argv[i]);
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			err |= replay_file(path);
			files++;
		}
		closedir(d);
	}
	printf("replayed %u inputs\n", files);
	return err ? 1 : 0;
}
