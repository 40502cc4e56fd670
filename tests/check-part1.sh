#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Part 1 of the Check suites (tests/check_suites.h says which); make check
# runs both parts at once.
SLABSIM_CHECK_PART=1 exec "${SLABSIM_BUILDDIR:-.}/tests/check_slabsim"
