// SPDX-License-Identifier: GPL-2.0
/* test_main.c - runs every unit test suite and prints "N passed, N failed". */
#include <stdio.h>

#include "tap.h"

int main(void)
{
	test_record();
	test_options();
	test_format();
	test_conn();
	test_follow();
	test_ladder();
	test_e2e();
	test_conventions();
	test_hist();
	test_plot();
	test_timewait();
	tmpdir_cleanup();
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
