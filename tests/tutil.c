/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tutil.c - helpers shared by the test suites. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/xalloc.h"
#include "tests/tutil.h"

const char *tutil_srcpath(const char *rel)
{
	static char buf[8][4096];
	static unsigned slot;
	const char *top = getenv("SLABSIM_SRCDIR");
	char *b = buf[slot++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/%s", top && *top ? top : ".", rel);
	return b;
}

char *tutil_tmpfile(const char *suffix, const char *text, size_t len)
{
	char tmpl[] = "/tmp/slabsim-test-XXXXXX";
	int fd = mkstemp(tmpl);
	char *path;
	FILE *f;

	if (fd < 0)
		abort();
	path = xmalloc(strlen(tmpl) + strlen(suffix) + 1);
	strcpy(path, tmpl);
	strcat(path, suffix);
	if (rename(tmpl, path))
		abort();
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f))
		abort();
	return path;
}

char *tutil_tmpdir(void)
{
	char tmpl[] = "/tmp/slabsim-testd-XXXXXX";

	if (!mkdtemp(tmpl))
		abort();
	return xstrdup(tmpl);
}
