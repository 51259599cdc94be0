#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages and what `make install` puts beside them:
#   - every page of the tree (*.[1-9] outside the build directory) formats
#     with man(1) without a warning, has NAME, SYNOPSIS, DESCRIPTION and
#     SEE ALSO, a .TH matching its file name, and names the project's
#     pages only in the sections they have;
#   - `make install` puts each page where man -w finds it, esprimd in sbin,
#     the unit (ExecStart under PREFIX) and the example configuration;
#   - the unit passes systemd-analyze verify (its Documentation= pages
#     found among those installed) and its exposure is at most 4.0;
#   - the EXAMPLES program of libesprim(3) builds against the library with
#     the project's warnings as errors, runs, and prints what the page shows.
# Prints TAP.  Usage: man_pages_test.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
comment() {	# file: its lines as TAP comments
	sed 's/^/# /' "$1"
}

# The pages this project must have, and every page it has.
expected="user/lib/libesprim.3 user/daemon/esprimd.conf.5
kmod/onem2m-esprim.7 user/daemon/esprimd.8 user/ctl/esprimctl.8"
mapfile -t pages < <(find . \( -path ./.git -o -path "./${build#"$top"/}" \
	-o -path ./build \) -prune -o -type f -name '*.[1-9]' -print |
	sed 's|^\./||' | sort)
missing=
for p in $expected; do
	printf '%s\n' "${pages[@]}" | grep -qxF "$p" || missing+=" $p"
done
[ -z "$missing" ]
ok $? "the tree has its ${#pages[@]} man pages${missing:+ (missing:$missing)}"

# name.section of every page, for the cross references.
names=()
for p in "${pages[@]}"; do
	names+=("$(basename "$p")")
done

for p in "${pages[@]}"; do
	base=$(basename "$p")
	sect=${base##*.}
	name=${base%.*}

	man --warnings -l "$p" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ ! -s "$tmp/err" ]
	ok $? "$p: man --warnings formats it silently (status $rc)"
	comment "$tmp/err"

	missing=
	for s in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
		grep -qE "^\.SH +\"?$s\"? *$" "$p" || missing+=" '$s'"
	done
	[ -z "$missing" ]
	ok $? "$p: NAME, SYNOPSIS, DESCRIPTION, SEE ALSO${missing:+ (missing:$missing)}"

	# .TH NAME SECTION, the name in capitals as the others write it.
	th=$(grep -m1 '^\.TH ' "$p" | awk '{ print $2 " " $3 }' | tr -d '"')
	want="$(printf %s "$name" | tr '[:lower:]' '[:upper:]' | sed 's/-/\\-/g') $sect"
	want_plain="$(printf %s "$name" | tr '[:lower:]' '[:upper:]') $sect"
	[ "$th" = "$want" ] || [ "$th" = "$want_plain" ]
	ok $? "$p: .TH names it ($th)"

	# The NAME line begins with the page's name.
	nameline=$(sed -n '/^\.SH  *"\{0,1\}NAME/{n;p;q}' "$p" | sed 's/\\-/-/g')
	case "$nameline" in
	"$name "*) true ;;
	*) false ;;
	esac
	ok $? "$p: NAME line begins with '$name'"

	# References to the project's pages name sections they exist in.
	bad=
	while read -r ref; do
		rname=${ref%% *}
		rsect=${ref##* }
		for q in "${names[@]}"; do
			if [ "${q%.*}" = "$rname" ] && [ "$q" != "$rname.$rsect" ]
			then
				bad+=" $rname($rsect)"
			fi
		done
	done < <(grep -oE '^\.BR +[A-Za-z0-9_.\\-]+ +\([0-9]\)' "$p" |
		sed -E 's/^\.BR +//; s/\\-/-/g; s/ +\(([0-9])\)$/ \1/')
	[ -z "$bad" ]
	ok $? "$p: the project's pages it refers to exist${bad:+ (not:$bad)}"
done

# ---- make install ----
stage=$tmp/stage
make -s install DESTDIR="$stage" PREFIX=/usr >"$tmp/log" 2>&1
ok $? "make -s install DESTDIR=... PREFIX=/usr"
comment "$tmp/log"
man_root=$stage/usr/share/man

for p in "${pages[@]}"; do
	base=$(basename "$p")
	sect=${base##*.}
	name=${base%.*}
	want=$man_root/man$sect/$base
	cmp -s "$p" "$want"
	ok $? "$base installed in man$sect"
	found=$(MANPATH=$man_root man -w "$sect" "$name" 2>&1)
	[ "$found" = "$want" ]
	ok $? "MANPATH=... man -w $sect $name finds it ($found)"
done

[ -x "$stage/usr/sbin/esprimd" ] && cmp -s "$build/user/esprimd" \
	"$stage/usr/sbin/esprimd"
ok $? "esprimd installed in /usr/sbin"
conf=$stage/etc/onem2m-esprim/esprimd.conf.example
cmp -s user/daemon/esprimd.conf "$conf" &&
	[ "$(stat -c %a "$conf")" = 644 ]
ok $? "the example configuration installed as esprimd.conf.example"
[ -s "$stage/usr/share/bash-completion/completions/esprimctl" ]
ok $? "esprimctl's bash completion installed"

unit=$stage/lib/systemd/system/esprimd.service
grep -qx 'ExecStart=/usr/sbin/esprimd' "$unit" &&
	[ "$(stat -c %a "$unit")" = 644 ]
ok $? "the unit installed in /lib/systemd/system, ExecStart /usr/sbin/esprimd"

stage2=$tmp/stage2
make -s install DESTDIR="$stage2" PREFIX=/usr/local >"$tmp/log" 2>&1 &&
	unit2=$stage2/lib/systemd/system/esprimd.service &&
	grep -qx 'ExecStart=/usr/local/sbin/esprimd' "$unit2" &&
	grep -qx 'ExecStartPre=/usr/local/sbin/esprimd --check-config' \
		"$unit2" &&
	! grep -q '/usr/sbin' "$unit2" &&
	[ -x "$stage2/usr/local/sbin/esprimd" ] &&
	[ -s "$stage2/usr/local/share/man/man7/onem2m-esprim.7" ]
ok $? "PREFIX=/usr/local: esprimd and the pages under it, the unit's commands too"
comment "$tmp/log"

# systemd 252's verify --root=DIR resolves every unit and command under
# DIR (sysinit.target, /bin/kill), which a staging directory lacks; so the
# installed unit is verified with its esprimd commands pointing into the
# staging directory.  Documentation= is checked with man, which finds the
# installed pages through MANPATH.
mkdir -p "$tmp/verify"
sed "s|=/usr/sbin/esprimd|=$stage/usr/sbin/esprimd|" "$unit" \
	>"$tmp/verify/esprimd.service"
MANPATH=$man_root systemd-analyze verify "$tmp/verify/esprimd.service" \
	>"$tmp/out" 2>&1
rc=$?
comment "$tmp/out"
[ $rc = 0 ] && ! grep -q 'esprimd' "$tmp/out"
ok $? "systemd-analyze verify: nothing about esprimd.service (status $rc)"

systemd-analyze security --offline=true "$unit" >"$tmp/out" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for esprimd.service: \([0-9.]*\).*/\1/p' \
	"$tmp/out")
echo "# exposure of esprimd.service: ${exposure:-none}"
[ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 4.0) }'
ok $? "systemd-analyze security --offline: exposure ${exposure:-none}, at most 4.0"
[ -n "$exposure" ] || comment "$tmp/out"

# ---- the EXAMPLES program of libesprim(3) ----
page=user/lib/libesprim.3
unescape() {
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}
sed -n '/^\.\\" libesprim-example-begin$/,/^\.\\" libesprim-example-end$/p' \
	"$page" | sed '1d;$d' | unescape >"$tmp/example.c"
# The program's output as the page shows it, on one line.
sed -n '/^\$ \\fB\.\/example\\fP$/,/^\.EE$/p' "$page" | sed '1d;$d' |
	unescape | tr -d '\n' >"$tmp/shown"
[ -s "$tmp/example.c" ] && [ -s "$tmp/shown" ]
ok $? "libesprim.3: the example program and its output extracted"

sed "s|@PREFIX@|/usr|" user/lib/libesprim.pc.in >"$tmp/libesprim.pc"
# The libraries libesprim.a needs, as its pkg-config file says.
read -ra libs < <(PKG_CONFIG_PATH=$tmp pkg-config --static --libs libesprim |
	sed 's/-lesprim\b//; s/-L[^ ]*//g')
cc -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Werror -O2 -Iuser/lib -Iinclude/uapi \
	-o "$tmp/example" "$tmp/example.c" "$build/lib/libesprim.a" \
	"${libs[@]}" >"$tmp/log" 2>&1
ok $? "libesprim.3: the example builds with -Wall -Wextra ... -Werror"
comment "$tmp/log"

"$tmp/example" >"$tmp/out" 2>"$tmp/err"
rc=$?
comment "$tmp/err"
[ $rc = 0 ] && [ "$(wc -l <"$tmp/out")" = 2 ] &&
	[ "$(tr -d '\n' <"$tmp/out")" = "$(cat "$tmp/shown")" ]
ok $? "libesprim.3: the example runs (status $rc) and prints what the page shows"
comment "$tmp/out"

echo "1..$n"
