/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_common.h - shared by the libFuzzer targets: hands an input to the
 * readers as a file without touching the disk (a memfd, opened by its
 * /proc/self/fd path, so traces/input reads it exactly as a file).
 */
#ifndef SLABSIM_FUZZ_COMMON_H
#define SLABSIM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a fresh memfd; returns the fd (path in buf) or -1. */
static inline int fuzz_memfile(const uint8_t *data, size_t n, char *buf, size_t buflen)
{
	int fd = memfd_create("slabsim-fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		abort();	/* the harness, not the reader, failed */
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	snprintf(buf, buflen, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
