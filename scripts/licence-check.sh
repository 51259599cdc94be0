#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every tracked file names its licence (an SPDX line near its top, or
# .reuse/dep5 for data files), and each part has the licence COPYING
# gives it: the library LGPL-2.1-or-later, the uapi header GPL-2.0 WITH
# Linux-syscall-note, the module GPL-2.0; the netlink spec and the files
# generated from it carry the dual licence the kernel's generator requires
# of them.  Prints the offenders.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
	case $f in
	LICENSES/*|COPYING|.reuse/dep5|README.md|selftests/fuzz/seeds/*)
		continue ;;
	esac
	id=$(head -n 3 "$f" | sed -n 's/.*SPDX-License-Identifier: \(.*[^ */]\).*/\1/p' |
		head -n 1)
	case $f in
	Documentation/netlink/specs/*|include/uapi/linux/onem2m_esprim_netlink.h|kmod/netlink_gen.[ch])
		want="((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)" ;;
	user/lib/*) want="LGPL-2.1-or-later" ;;
	include/uapi/*) want="GPL-2.0 WITH Linux-syscall-note" ;;
	kmod/*|Kbuild) want="GPL-2.0" ;;
	*) want="" ;;
	esac
	if [ -z "$id" ]; then
		echo "$f: no SPDX-License-Identifier"
		bad=1
	elif [ -n "$want" ] && [ "$id" != "$want" ]; then
		echo "$f: $id, COPYING says $want"
		bad=1
	else
		# Every licence and exception the expression names has its text.
		for l in $(echo "$id" | tr '()' '  '); do
			case $l in WITH|OR|AND) continue ;; esac
			if [ ! -f "LICENSES/$l.txt" ]; then
				echo "$f: $l has no text in LICENSES/"
				bad=1
			fi
		done
	fi
done < <(git ls-files)
exit $bad
