/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_set.c - libFuzzer target: the --set parameter parsers.  Each line
 * of the input is one --set argument.  It goes to policy_param_set() of
 * every registered policy, to cli_parse_list() as a sweep's VALUES, and
 * all lines together go through runopts_finish() with --policy all (every
 * policy and preset, the presets' own settings, --set applied to each
 * policy that has the parameter), as 'slabsim run' and 'sweep' parse them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "policies/registry.h"
#include "sim/xalloc.h"

#define FUZZ_SET_MAX_LINES 16
#define FUZZ_SET_MAX_VALUES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* One --set argument: every policy's parser and the sweep's list parser. */
static void fuzz_set_one(const char *arg)
{
	const char *eq = strchr(arg, '=');
	long v[FUZZ_SET_MAX_VALUES];
	unsigned nv = 0;
	char err[512];

	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++) {
		struct sim_param_values pv;

		policy_params_default(*p, &pv);
		if (policy_param_set(*p, &pv, arg, err, sizeof(err)) == 0) {
			int i = -1;

			/* a value taken is within the parameter's range */
			for (unsigned k = 0; k < (*p)->nparams; k++)
				if (eq && !strncmp((*p)->params[k].name, arg, (size_t)(eq - arg)) &&
				    !(*p)->params[k].name[eq - arg])
					i = (int)k;
			if (i < 0 || pv.v[i] < (*p)->params[i].min || pv.v[i] > (*p)->params[i].max)
				abort();
		}
	}
	if (cli_parse_list(eq ? eq + 1 : arg, v, &nv, FUZZ_SET_MAX_VALUES) == 0 && (!nv || nv > FUZZ_SET_MAX_VALUES))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static FILE *null;
	char *text = xmalloc(n + 1), *save = NULL;
	FILE *err_out = stderr;
	struct runopts ro;

	memcpy(text, data, n);
	text[n] = '\0';
	runopts_init(&ro);
	ro.trace = "-";
	ro.policy_arg = "all";
	for (char *line = strtok_r(text, "\n", &save); line && ro.nsets < FUZZ_SET_MAX_LINES;
	     line = strtok_r(NULL, "\n", &save)) {
		fuzz_set_one(line);
		ro.sets[ro.nsets++] = line;
	}
	/* runopts_finish() explains a rejected --set on stderr: not per input */
	if (!null)
		null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
	(void)runopts_finish(&ro, "fuzz", true);
	stderr = err_out;
	free(text);
	return 0;
}
