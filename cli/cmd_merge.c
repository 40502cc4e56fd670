/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_merge.c - `slabsim merge OUT.db SHARD.db...`: the shards of a distributed sweep into one database. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "results/db.h"

static void merge_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim merge OUT.db SHARD.db...\n"
"\n"
"Copies into OUT.db (created if missing) every run of the SHARD databases that\n"
"OUT.db does not have yet, with its trace, parameters, counters, locks, line\n"
"touches, latencies and memory series.  Runs are told apart by their config\n"
"digest, traces by their digest, so merging a shard twice, or two shards that\n"
"ran the same configuration, adds it once.  Records of 'slabsim validate'\n"
"come along with their figures, each once (the same trace, snapshot, replay,\n"
"summary and time).  Each shard is merged in one transaction; a shard of\n"
"another schema version, or a file that is not a slabsim database, is\n"
"refused with a message and OUT.db keeps what it had.\n"
"\n"
"The shards usually come from 'slabsim sweep --emit-jobs', one per job.\n"
"\n"
"Example:\n"
"  slabsim merge sweep.db shards/*.db\n");
}

int cmd_merge(int argc, char **argv)
{
	struct db *db;
	char err[1024];
	int64_t added_all = 0, skipped_all = 0;
	int rc = CLI_EXIT_OK;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		merge_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 3 || argv[1][0] == '-') {
		cli_error("merge: expected OUT.db and at least one SHARD.db (try 'slabsim merge --help')");
		return CLI_EXIT_USAGE;
	}
	if (db_open(argv[1], 0, &db, err, sizeof(err))) {
		cli_error("merge: %s", err);
		return CLI_EXIT_FAIL;
	}
	for (int i = 2; i < argc; i++) {
		int64_t added, skipped;

		if (db_merge_shard(db, argv[i], &added, &skipped, err, sizeof(err))) {
			cli_error("merge: %s", err);
			rc = CLI_EXIT_FAIL;
			continue;
		}
		added_all += added;
		skipped_all += skipped;
	}
	db_close(db);
	printf("merged %d shard%s into %s: %" PRId64 " runs added, %" PRId64 " already there\n", argc - 2,
	       argc == 3 ? "" : "s", argv[1], added_all, skipped_all);
	return rc;
}
