// SPDX-License-Identifier: GPL-2.0
/*
 * For coverage builds only: the kselftest harness ends each forked test
 * with _exit(), which skips gcov's exit handler, so the counts are dumped
 * first.
 */
#include <unistd.h>
#include <sys/syscall.h>

void __gcov_dump(void);

void _exit(int status)
{
	__gcov_dump();
	for (;;)
		syscall(SYS_exit_group, status);
}
