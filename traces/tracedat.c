/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tracedat.c - trace.dat through libtracecmd: the kmem events are looked up
 * once by name, their fields once per event type, and every record is read
 * with tep_read_number_field() into the struct ftrace_rec that the text
 * parser would have made of 'trace-cmd report's line for it.
 *
 * This file is always compiled: without HAVE_LIBTRACECMD only the magic, the
 * flags mapping and the refusal message are here, so the loader has one
 * place to ask and the tests run the same either way.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traces/tracedat.h"

bool trace_tracedat_is_tracedat(const void *head, size_t n)
{
	return n >= TRACE_TRACEDAT_MAGIC_LEN && !memcmp(head, TRACE_TRACEDAT_MAGIC, TRACE_TRACEDAT_MAGIC_LEN);
}

/* As trace_print_lat_fmt() in kernel/trace/trace_output.c reads the flags. */
void trace_tracedat_flags_apply(unsigned int flags, struct ftrace_rec *r)
{
	r->irqs_off = (flags & TRACE_TRACEDAT_FLAG_IRQS_OFF) != 0;
	if (flags & TRACE_TRACEDAT_FLAG_NMI)
		r->ctx = SIM_CTX_NMI;
	else if (flags & TRACE_TRACEDAT_FLAG_HARDIRQ)
		r->ctx = SIM_CTX_HARDIRQ;
	else if (flags & TRACE_TRACEDAT_FLAG_SOFTIRQ)
		r->ctx = SIM_CTX_SOFTIRQ;
	else
		r->ctx = SIM_CTX_TASK;
}

#ifndef HAVE_LIBTRACECMD

bool trace_tracedat_is_supported(void)
{
	return false;
}

int trace_tracedat_read(const char *path, const struct trace_tracedat_sink *sink,
			char *err, size_t errlen)
{
	(void)sink;
	snprintf(err, errlen, "%s: trace.dat needs libtracecmd: install libtracecmd-dev and reconfigure, "
		 "or convert with 'trace-cmd report %s > %s.txt'", path, path, path);
	return -ENOTSUP;
}

#else /* HAVE_LIBTRACECMD */

#include <sys/stat.h>
#include <trace-cmd.h>

/*
 * libtracecmd 1.3 leaks its tep handle when tracecmd_open() fails on a
 * damaged file (tracecmd_alloc_fd); under LeakSanitizer that would fail
 * our bad-input tests for a bug that is not ours, so the open runs with
 * leak checking off.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TD_LSAN 1
#endif
#endif
#ifdef TD_LSAN
#include <sanitizer/lsan_interface.h>
#define td_lsan_disable() __lsan_disable()
#define td_lsan_enable() __lsan_enable()
#else
#define td_lsan_disable() ((void)0)
#define td_lsan_enable() ((void)0)
#endif

#define TD_SITE_BYTES 512

/* The events read, by name in the "kmem" system. */
static const struct {
	const char *name;
	enum ftrace_event_type type;
	bool node;
} td_names[] = {
	{ "kmem_cache_alloc", FTRACE_KMEM_CACHE_ALLOC, false },
	{ "kmem_cache_alloc_node", FTRACE_KMEM_CACHE_ALLOC, true },
	{ "kmalloc", FTRACE_KMALLOC, false },
	{ "kmalloc_node", FTRACE_KMALLOC, true },
	{ "kmem_cache_free", FTRACE_KMEM_CACHE_FREE, false },
	{ "kfree", FTRACE_KFREE, false },
	{ "mm_page_alloc", FTRACE_PAGE_ALLOC, false },
	{ "mm_page_free", FTRACE_PAGE_FREE, false },
	{ "mm_page_free_direct", FTRACE_PAGE_FREE, false },
	{ "mm_page_free_batched", FTRACE_PAGE_FREE, false },
	{ "mm_pagevec_free", FTRACE_PAGE_FREE, false },
};
#define TD_NEVENTS (sizeof(td_names) / sizeof(td_names[0]))

/* One kmem event of this file and its fields (NULL where it has none). */
struct td_event {
	int id;				/* -1: not in the file */
	enum ftrace_event_type type;
	bool node_event;
	bool site_hex;			/* call_site printed with %lx (<= 5.3) */
	bool accounted_printed;		/* "accounted=" computed by the print format, no field */
	struct tep_format_field *flags, *call_site, *ptr, *bytes_req, *bytes_alloc, *gfp;
	struct tep_format_field *node, *accounted, *name, *pfn, *page, *order;
};

struct td_reader {
	struct tracecmd_input *h;
	struct tep_handle *tep;
	const struct trace_tracedat_sink *sink;
	struct td_event ev[TD_NEVENTS];
	struct trace_tracedat_pos pos;
	uint64_t file_bytes, next_progress;
	char site[TD_SITE_BYTES];
	struct trace_seq seq;		/* a record rendered by libtraceevent */
	int ret;			/* a sink's stop value */
};

bool trace_tracedat_is_supported(void)
{
	return true;
}

static void td_event_setup(struct td_reader *rd, size_t i)
{
	struct td_event *te = &rd->ev[i];
	struct tep_event *e = tep_find_event_by_name(rd->tep, "kmem", td_names[i].name);

	memset(te, 0, sizeof(*te));
	te->id = e ? e->id : -1;
	te->type = td_names[i].type;
	te->node_event = td_names[i].node;
	if (!e)
		return;
	te->flags = tep_find_common_field(e, "common_flags");
	te->call_site = tep_find_field(e, "call_site");
	te->ptr = tep_find_field(e, "ptr");
	te->bytes_req = tep_find_field(e, "bytes_req");
	te->bytes_alloc = tep_find_field(e, "bytes_alloc");
	te->gfp = tep_find_field(e, "gfp_flags");
	te->node = tep_find_field(e, "node");
	te->accounted = tep_find_field(e, "accounted");
	te->name = tep_find_field(e, "name");
	te->pfn = tep_find_field(e, "pfn");
	te->page = tep_find_field(e, "page");
	te->order = tep_find_field(e, "order");
	te->site_hex = e->print_fmt.format && strstr(e->print_fmt.format, "call_site=%lx");
	te->accounted_printed = !te->accounted && e->print_fmt.format &&
				strstr(e->print_fmt.format, "accounted=%s");
}

/*
 * kmalloc's "accounted" in kernels where it is no field but the print
 * format's own test of gfp_flags against __GFP_ACCOUNT, whose bit moves
 * between versions (1 << 22 in 6.18): libtraceevent evaluates the format,
 * so the value is taken from the rendered text, as report shows it.
 */
static int td_accounted_printed(struct td_reader *rd, struct tep_record *rec)
{
	const char *p;

	trace_seq_reset(&rd->seq);
	tep_print_event(rd->tep, &rd->seq, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&rd->seq);
	p = rd->seq.buffer ? strstr(rd->seq.buffer, " accounted=") : NULL;
	if (!p)
		return -1;
	return !strncmp(p + 11, "true", 4);
}

static const struct td_event *td_event_of(const struct td_reader *rd, int id)
{
	for (size_t i = 0; i < TD_NEVENTS; i++)
		if (rd->ev[i].id == id)
			return &rd->ev[i];
	return NULL;
}

/* A number field; 0 when the event has no such field or the record is short. */
static unsigned long long td_num(struct tep_format_field *f, const struct tep_record *rec)
{
	unsigned long long v = 0;

	if (!f || f->offset < 0 || f->size <= 0 || f->offset + f->size > rec->size)
		return 0;
	if (tep_read_number_field(f, rec->data, &v))
		return 0;
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 && (v >> (f->size * 8 - 1)) & 1)
		v |= ~0ull << (f->size * 8);	/* sign-extend */
	return v;
}

/* The name string: a __data_loc/__rel_loc char[] or a fixed char array. */
static void td_name(const struct td_event *te, const struct tep_record *rec, struct ftrace_rec *r)
{
	const struct tep_format_field *f = te->name;
	unsigned long long loc;
	unsigned off, len;

	if (!f || !(f->flags & (TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_STRING)))
		return;	/* a kernel pointer (the oldest kmem_cache_free): no name */
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		loc = td_num((struct tep_format_field *)f, rec);
		off = (unsigned)(loc & 0xffff);
		len = (unsigned)(loc >> 16);
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += (unsigned)(f->offset + f->size);
	} else {
		off = (unsigned)f->offset;
		len = (unsigned)f->size;
	}
	if (off > (unsigned)rec->size || len > (unsigned)rec->size - off)
		return;
	r->name = (const char *)rec->data + off;
	r->name_len = strnlen(r->name, len);
}

/* call_site as report prints it: "func+0xoff", "0xaddr" unresolved, bare hex for %lx. */
static void td_site(struct td_reader *rd, const struct td_event *te, const struct tep_record *rec,
		    struct ftrace_rec *r)
{
	unsigned long long a;
	const char *func;
	int n;

	if (!te->call_site)
		return;
	a = td_num(te->call_site, rec);
	func = te->site_hex ? NULL : tep_find_function(rd->tep, a);
	if (te->site_hex)
		n = snprintf(rd->site, sizeof(rd->site), "%llx", a);
	else if (func)
		n = snprintf(rd->site, sizeof(rd->site), "%s+0x%llx", func,
			     a - tep_find_function_address(rd->tep, a));
	else
		n = snprintf(rd->site, sizeof(rd->site), "0x%llx", a);
	r->site = rd->site;
	r->site_len = n < 0 ? 0 : (size_t)n < sizeof(rd->site) ? (size_t)n : sizeof(rd->site) - 1;
}

static void td_rec_fill(struct td_reader *rd, const struct td_event *te, struct tep_record *rec,
			struct ftrace_rec *r)
{
	unsigned long long gfp;

	memset(r, 0, sizeof(*r));
	r->type = te->type;
	r->style = FTRACE_STYLE_TRACECMD;
	r->node_event = te->node_event;
	r->cpu = (uint16_t)rec->cpu;
	r->ts_ns = rec->ts;
	r->node = te->node ? (int16_t)td_num(te->node, rec) : SIM_NO_NODE;
	r->accounted = te->accounted ? td_num(te->accounted, rec) != 0 : -1;
	if (te->accounted_printed)
		r->accounted = (int8_t)td_accounted_printed(rd, rec);
	trace_tracedat_flags_apply((unsigned)td_num(te->flags, rec), r);
	td_site(rd, te, rec, r);
	if (te->type == FTRACE_PAGE_ALLOC || te->type == FTRACE_PAGE_FREE) {
		r->ptr = td_num(te->pfn ? te->pfn : te->page, rec);
		r->order = (uint8_t)(td_num(te->order, rec) & 63);
		return;
	}
	r->ptr = td_num(te->ptr, rec);
	r->bytes_req = (uint32_t)td_num(te->bytes_req, rec);
	r->bytes_alloc = (uint32_t)td_num(te->bytes_alloc, rec);
	gfp = td_num(te->gfp, rec);
	if (te->type == FTRACE_KMALLOC)
		r->gfp = ((gfp & 0x01) ? FTRACE_GFP_DMA : 0) | ((gfp & 0x10) ? FTRACE_GFP_RECLAIMABLE : 0);
	td_name(te, rec, r);
}

static int td_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct td_reader *rd = arg;
	const struct trace_tracedat_sink *s = rd->sink;
	const struct td_event *te;
	struct ftrace_rec r;

	(void)h;
	rd->pos.index++;
	rd->pos.offset = rec->offset;
	rd->pos.cpu = cpu;
	if (rec->missed_events && s->lost)	/* -1: dropped, count unknown */
		rd->ret = s->lost(s->arg, &rd->pos, rec->missed_events > 0 ? (uint64_t)rec->missed_events : 1);
	if (rd->ret)
		return 1;
	te = td_event_of(rd, tep_data_type(rd->tep, rec));
	if (!te) {
		rd->ret = s->other ? s->other(s->arg, &rd->pos) : 0;
	} else {
		td_rec_fill(rd, te, rec, &r);
		rd->ret = s->kmem(s->arg, &rd->pos, &r);
	}
	if (s->progress && rec->offset >= rd->next_progress) {
		rd->next_progress = rec->offset + (1u << 20);
		s->progress(s->arg, rec->offset, rd->file_bytes);
	}
	return rd->ret != 0;
}

int trace_tracedat_read(const char *path, const struct trace_tracedat_sink *sink,
			char *err, size_t errlen)
{
	struct td_reader rd = { .sink = sink };
	struct stat st;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	td_lsan_disable();
	rd.h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	td_lsan_enable();
	if (!rd.h) {
		snprintf(err, errlen, "%s: libtracecmd cannot read this trace.dat (damaged, truncated "
			 "or of a newer file version)", path);
		return -EINVAL;
	}
	rd.tep = tracecmd_get_tep(rd.h);
	trace_seq_init(&rd.seq);
	rd.file_bytes = stat(path, &st) ? 0 : (uint64_t)st.st_size;
	for (size_t i = 0; i < TD_NEVENTS; i++)
		td_event_setup(&rd, i);
	if (tracecmd_iterate_events(rd.h, NULL, 0, td_record, &rd) < 0 && !rd.ret) {
		snprintf(err, errlen, "%s: libtracecmd failed reading the records after record %llu",
			 path, (unsigned long long)rd.pos.index);
		rd.ret = -EIO;
	}
	if (!rd.ret && sink->progress)
		sink->progress(sink->arg, rd.file_bytes, rd.file_bytes);
	trace_seq_destroy(&rd.seq);
	tracecmd_close(rd.h);
	return rd.ret;
}

#endif /* HAVE_LIBTRACECMD */
