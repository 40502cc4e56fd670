/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - messages and argument parsing shared by the subcommands. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("slabsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("slabsim: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A whole decimal number, without overflow; 0 or -EINVAL. */
static int cli_list_number(const char *s, char **end, long *out)
{
	errno = 0;
	*out = strtol(s, end, 10);
	return *end == s || errno ? -EINVAL : 0;
}

static int cli_list_push(long x, long *v, unsigned *n, unsigned max)
{
	if (*n == max)
		return -E2BIG;
	v[(*n)++] = x;
	return 0;
}

/* Appends the values of one list item ("8", "8..128*2", "1..10+3"). */
static int cli_parse_list_item(const char *s, long *v, unsigned *n, unsigned max)
{
	char *end;
	long a, b, step = 1;
	bool geometric = false;
	int rc;

	if (cli_list_number(s, &end, &a))
		return -EINVAL;
	if (!*end)
		return cli_list_push(a, v, n, max);
	if (strncmp(end, "..", 2) || cli_list_number(end + 2, &end, &b))
		return -EINVAL;
	if (*end == '*' || *end == '+') {
		geometric = *end == '*';
		if (cli_list_number(end + 1, &end, &step) || step < (geometric ? 2 : 1))
			return -EINVAL;
	}
	if (*end || b < a || (geometric && a <= 0))
		return -EINVAL;
	for (long x = a;;) {
		rc = cli_list_push(x, v, n, max);
		if (rc)
			return rc;
		/* the next value, unless it would pass b (or LONG_MAX); b - x fits unsigned long */
		if (geometric ? x > b / step : (unsigned long)b - (unsigned long)x < (unsigned long)step)
			return 0;
		x = geometric ? x * step : x + step;
	}
}

int cli_parse_list(const char *list, long *v, unsigned *n, unsigned max)
{
	char buf[1024], *save = NULL;
	int rc = 0;

	if (strlen(list) >= sizeof(buf))
		return -E2BIG;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *item = strtok_r(buf, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save))
		rc = cli_parse_list_item(item, v, n, max);
	return rc ? rc : (*n ? 0 : -EINVAL);
}
