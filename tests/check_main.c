/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_main.c - runs the suites.  SLABSIM_CHECK_PART=1 or 2 runs the
 * suites of that part (check_suites.h), unset or empty runs them all;
 * CK_RUN_SUITE=<name> and CK_RUN_CASE select one suite or case, as Check
 * documents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_suites.h"

int main(void)
{
	const char *want = getenv("SLABSIM_CHECK_PART");
	int part = 0;
	SRunner *sr;
	int failed;

	if (want && *want) {
		if (strcmp(want, "1") && strcmp(want, "2")) {
			fprintf(stderr, "check_slabsim: SLABSIM_CHECK_PART is '%s'; it must be 1, 2 or empty\n", want);
			return EXIT_FAILURE;
		}
		part = atoi(want);
	}
	sr = srunner_create(NULL);
#define X(name, p) if (!part || part == (p)) srunner_add_suite(sr, name##_suite());
	CHECK_SUITE_LIST(X)
#undef X
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
