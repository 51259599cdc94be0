#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# esprimd measured: starts two daemons, gw1 and gw2, peers of each other
# with a provisioned pairwise key, runs build/bench/esprimd_bench against
# them (exchanges/s through the socket API, session set-ups/s, the same
# exchange in process, the daemons' memory per session) and stops them.
#
#   scripts/bench-daemon.sh [--kernel] [--many N] [--exchanges N]
#                           [--sessions N] [--per-request-rand]
#
# On the host: the soft backend, both daemons on 127.0.0.1.  --kernel (in
# the VM, the module loaded): the kernel backend, each daemon in a network
# namespace of its own joined by a veth pair.  --many: sessions the
# memory figure is taken over (10000 on the host, 1000 with --kernel).
# As root (the bench flushes sessions and reads stats, operator requests).
# KEEP=1 leaves the daemons' directory (configurations, logs) in /tmp.
#
# The daemons answer rand requests with their shared receiver object
# ([rand] per_request = no): with a receiver object of its own per request
# (the default, --per-request-rand) gw1 learns one more rand object per
# session it sets up, and esprimd's context refuses a 65th learnt object
# per pairwise key (libesprim's max_learnt_rands, 64) with ENOSPC until
# the first ones expire, which ends the bench after 64 set-ups.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "bench-daemon: run as root (the daemons' CSE is user 0)" >&2
	exit 1
fi

ESPRIMD=$PWD/build/user/esprimd
BENCH=$PWD/build/bench/esprimd_bench
ID1=//sp1.example/CSE-gw1
ID2=//sp2.example/CSE-gw2
KID=13-gw1-gw2.example
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
NS1=esprim-bench1
NS2=esprim-bench2

kernel=
many=
per_request=no
bench_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=1 ;;
	--per-request-rand) per_request=yes ;;
	--many) many=$2; shift ;;
	--exchanges|--sessions) bench_args+=("$1" "$2"); shift ;;
	*) echo "usage: $0 [--kernel] [--many N] [--exchanges N]" \
		"[--sessions N] [--per-request-rand]" >&2
	   exit 2 ;;
	esac
	shift
done
if [ -n "$kernel" ]; then
	backend=kernel
	addr1=10.77.1.1
	addr2=10.77.1.2
	many=${many:-1000}
else
	backend=soft
	addr1=127.0.0.1
	addr2=127.0.0.1
	many=${many:-10000}
fi

dir=$(mktemp -d /tmp/bench-daemon.XXXXXX)
chmod 755 "$dir"
pid1=
pid2=
cleanup() {
	local p

	for p in $pid1 $pid2; do
		if kill -TERM "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null || true
		fi
	done
	if [ -n "$kernel" ]; then
		ip netns del "$NS1" 2>/dev/null || true
		ip netns del "$NS2" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

# A TCP port free on this machine (both daemons differ on 127.0.0.1).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Two network namespaces joined by a veth pair (esprimd_test.py's).
netns_up() {
	modprobe veth
	ip netns add "$NS1"
	ip netns add "$NS2"
	ip link add v1 netns "$NS1" type veth peer name v2 netns "$NS2"
	ip -n "$NS1" addr add "$addr1/24" dev v1
	ip -n "$NS2" addr add "$addr2/24" dev v2
	for ns in "$NS1" "$NS2"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS1" link set v1 up
	ip -n "$NS2" link set v2 up
}

# write_conf NAME IDENTITY ADDR PORT PEER_NAME PEER_ID PEER_ADDR PEER_PORT
write_conf() {
	mkdir -p "$dir/$1"
	cat >"$dir/$1/esprimd.conf" <<-EOF
	[daemon]
	identity = $2
	backend = $backend
	socket = $dir/$1/esprimd.sock
	listen = $3:$4

	[rand]
	per_request = $per_request

	[limits]
	max_sessions = 30000

	[cse local]
	user = 0
	identity = $2

	[peer $5]
	identity = $6
	kid = $KID
	address = http://$7:$8/
	key = 13
	key_file = $dir/k12.key
	EOF
}

# start NAME NETNS: the daemon's pid in $started; waits for its socket.
start() {
	local netns=()

	[ -z "$2" ] || netns=(ip netns exec "$2")
	"${netns[@]}" "$ESPRIMD" -f -c "$dir/$1/esprimd.conf" \
		>"$dir/$1/esprimd.log" 2>&1 &
	started=$!
	# The socket is the last thing set up, after the HTTP listener.
	for _ in $(seq 200); do
		if [ -S "$dir/$1/esprimd.sock" ] &&
		   grep -q "socket $dir/$1/esprimd.sock" "$dir/$1/esprimd.log"
		then
			return 0
		fi
		kill -0 "$started" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench-daemon: $1 did not start:" >&2
	cat "$dir/$1/esprimd.log" >&2
	return 1
}

umask 077
printf '%s\n' "$KEY" >"$dir/k12.key"
chmod 600 "$dir/k12.key"
umask 022
port1=$(free_port)
port2=$(free_port)
while [ "$port2" = "$port1" ]; do
	port2=$(free_port)
done
write_conf gw1 "$ID1" "$addr1" "$port1" gw2 "$ID2" "$addr2" "$port2"
write_conf gw2 "$ID2" "$addr2" "$port2" gw1 "$ID1" "$addr1" "$port1"
ns1=
ns2=
if [ -n "$kernel" ]; then
	netns_up
	ns1=$NS1
	ns2=$NS2
fi
start gw1 "$ns1"
pid1=$started
start gw2 "$ns2"
pid2=$started

echo "# esprimd bench: $backend backend, [rand] per_request = $per_request," \
	"$(nproc) cores, $(uname -r)"
"$BENCH" --gw1 "$dir/gw1/esprimd.sock" --gw2 "$dir/gw2/esprimd.sock" \
	--target "$ID2" --from "$ID1" --pid1 "$pid1" --pid2 "$pid2" \
	--many "$many" --backend "$backend" "${bench_args[@]}"
