/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csv.h - hand-written traces as CSV: one allocation or free per line,
 * columns named by a header line.  traces/README-formats.md is the user's
 * documentation; this is the contract.
 *
 * The first line that is neither blank nor a '#' comment is the header: a
 * comma-separated list of column names, in any order, each at most once.
 * It must name `op` and `ptr`; every other column may be absent.
 *
 *   column       value                                       when absent or empty
 *   t_ns         nanoseconds, decimal (any origin: the       the n-th event (from 0)
 *                loader makes times relative to the first)    is at n microseconds
 *   cpu          CPU that made the call, 0..65534             0
 *   op           alloc, free, kmalloc, kfree,                 (required)
 *                kmem_cache_alloc, kmem_cache_free
 *   cache        cache name, e.g. dentry or kmalloc-cg-64      alloc: the kmalloc size
 *                                                             class of the sizes; free:
 *                                                             its allocation's cache
 *   ptr          object pointer: 0x-prefixed hex or decimal;  (required)
 *                0, (null) and (nil) are NULL
 *   bytes_req    bytes requested, decimal                      = bytes_alloc
 *   bytes_alloc  bytes of the object, decimal                  = bytes_req
 *   site         call site, free text                          none
 *   ctx          task (or process), softirq, hardirq, nmi      task
 *   node         requested NUMA node, -1 for any               -1
 *
 * An allocation needs bytes_req or bytes_alloc; frees ignore both.  "alloc"
 * with a cache is a kmem_cache_alloc and without one a kmalloc (named
 * kmalloc-N from its sizes, as traces/resolve.h names them); "free" with a
 * cache is a kmem_cache_free and without one a kfree.  The kernel's names
 * force the kind: "kmalloc" takes its cache name from the sizes unless one
 * is given, "kmem_cache_alloc" without a cache is named by the pairing pass
 * (from its free, else its call site).  Fields are trimmed of blanks and
 * may be double-quoted ("" is a quote inside quotes), so a site may hold a
 * comma.  Blank lines and lines starting with '#' are skipped anywhere.
 * Every error names the field; the loader adds the file and the line.
 */
#ifndef SLABSIM_TRACES_CSV_H
#define SLABSIM_TRACES_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"

#define TRACE_CSV_MAX_COLUMNS 32

enum trace_csv_col {
	TRACE_CSV_T_NS = 0,
	TRACE_CSV_CPU,
	TRACE_CSV_OP,
	TRACE_CSV_CACHE,
	TRACE_CSV_PTR,
	TRACE_CSV_BYTES_REQ,
	TRACE_CSV_BYTES_ALLOC,
	TRACE_CSV_SITE,
	TRACE_CSV_CTX,
	TRACE_CSV_NODE,
	TRACE_CSV_NCOLS
};

/* Which column sits where, from the header. */
struct trace_csv_layout {
	unsigned ncols;				/* fields per line */
	int8_t col[TRACE_CSV_MAX_COLUMNS];	/* position -> enum trace_csv_col */
	int8_t pos[TRACE_CSV_NCOLS];		/* enum trace_csv_col -> position, -1 absent */
};

/* What a data line is. */
enum trace_csv_line_kind {
	TRACE_CSV_LINE_IGNORED = 0,	/* blank or '#' comment */
	TRACE_CSV_LINE_EVENT = 1,	/* *e is filled */
};

/* "t_ns", "cpu", ... */
const char *trace_csv_col_name(enum trace_csv_col c);

/*
 * Whether a line (len bytes, no newline) looks like a CSV header: it has a
 * comma and fields named op and ptr.  Used to detect the format.
 */
bool trace_csv_is_header(const char *line, size_t len);

/*
 * Parses the header into *lay.  Returns 0, or -EINVAL with err naming the
 * field: an unknown column (the message lists the known ones), a column
 * named twice, op or ptr missing, more than TRACE_CSV_MAX_COLUMNS fields.
 */
int trace_csv_header_parse(struct trace_csv_layout *lay, const char *line, size_t len,
			   char *err, size_t errlen);

/*
 * Parses one data line into a canonical event (oid unset, t_ns as
 * written); seq is the number of events before it (for a missing t_ns).
 * Cache names and sites are interned in w only when the line is valid.
 * Returns an enum trace_csv_line_kind, or -EINVAL with err naming the
 * field ("field 'ptr': expected 0x-prefixed hex or decimal, got 'zz'").
 */
int trace_csv_line_parse(const struct trace_csv_layout *lay, struct sim_workload *w,
			 const char *line, size_t len, uint64_t seq, struct sim_event *e,
			 char *err, size_t errlen);

#endif /* SLABSIM_TRACES_CSV_H */
