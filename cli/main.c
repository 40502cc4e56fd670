/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - the slabsim command: dispatches to the subcommands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "replay a trace against a policy and record the cost" },
	{ "sweep", cmd_sweep, "run the cartesian product of policies, parameters and cpus on worker processes" },
	{ "plot", cmd_plot, "draw comparison plots of a results database with gnuplot" },
	{ "report", cmd_report, "print the comparison of a database's runs and write report.html" },
	{ "merge", cmd_merge, "merge the shard databases of a distributed sweep" },
	{ "validate", cmd_validate, "compare the slub model with the captured kernel's slab usage" },
	{ "trace", cmd_trace, "import, analyse, generate or reshape traces" },
	{ "policies", cmd_policies, "list policies, presets, parameters and the cost table" },
	{ "bench", cmd_bench, "measure replay speed against a bare replay" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: slabsim COMMAND [OPTION]...\n"
		   "       slabsim COMMAND --help\n\n"
		   "slabsim replays kernel slab-allocation traces against slab-allocator policies\n"
		   "on a simulated multi-cpu machine and records lock acquisitions, cache-line\n"
		   "transfers, memory held and cycles per operation in a SQLite database.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  -h, --help     show this help\n"
		   "  -V, --version  show the version\n\n"
		   "Example:\n"
		   "  slabsim run --trace traces/samples/fork_exec.trace.xz --policy slub --db results/slabsim.db\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("slabsim %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'slabsim --help')", argv[1]);
	return CLI_EXIT_USAGE;
}
