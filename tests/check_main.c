/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_main.c - runs every suite.  CK_RUN_SUITE=<name> and CK_RUN_CASE
 * select one suite or case, as Check documents.
 */
#include "config.h"

#include <stdlib.h>

#include "tests/check_suites.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define X(name) srunner_add_suite(sr, name##_suite());
	CHECK_SUITE_LIST(X)
#undef X
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
