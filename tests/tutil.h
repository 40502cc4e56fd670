/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tutil.h - helpers shared by the test suites. */
#ifndef SLABSIM_TUTIL_H
#define SLABSIM_TUTIL_H

#include <stddef.h>

/* Path of a file in the source tree ($SLABSIM_SRCDIR, else "."); static buffer per call slot. */
const char *tutil_srcpath(const char *rel);
/* Writes text to a fresh temporary file and returns its path (caller frees). */
char *tutil_tmpfile(const char *suffix, const char *text, size_t len);
/* A fresh temporary directory path (caller frees). */
char *tutil_tmpdir(void);

#endif
