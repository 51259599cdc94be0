#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# esprimd's sidecar mode measured: two gateways, each a CSE stand-in
# (build/selftests/fixtures/cse_standin, an unmodified CSE) behind its
# esprimd, as selftests/host/sidecar_test.py sets them up.  An AE
# (build/bench/sidecar_bench, libcurl, keep-alive) on gateway A sends
# oneM2M requests for CSE B, in one run, for each connection count:
#
#   a) to CSE B directly over HTTP;
#   b) to A's sidecar outbound address, A's peer B with protect = never:
#      passed on plain to B's sidecar, which passes it to CSE B;
#   c) the same with protect = require: sealed by A into a Notify to B's
#      sidecar, opened there and handed to CSE B, the response sealed back.
#
# gw1 is switched between b) and c) by rewriting its configuration and
# "esprimctl reload" (protect may change on reload); gw1's seal counter
# shows that b) sealed nothing and c) sealed every request.
#
#   scripts/bench-sidecar.sh [--kernel | --netns [--backend soft|kernel]]
#                            [--requests N] [--connections N,...]
#                            [--op create|retrieve] [--perf FILE]
#
# Prints requests/s, p50 and p99 (us) per mode and connection count, the
# CPU time per exchange of each process (from /proc, so the figure holds
# on a machine busy with other work), and ESPrim's overhead over
# pass-through.  --connections: a comma-separated list (default
# 1,4,16,64); --requests: measured requests per run (default 20000);
# --op: contentInstance creates (default) or retrieves of "la".  --perf
# FILE: perf record -g on both esprimd during each c), into FILE.<conns>.
#
# On the host: the soft backend, everything on 127.0.0.1.  --netns (in
# the VM): gateway A (esprimd, CSE A, the AE) in network namespace
# esprim-bench1 and gateway B in esprim-bench2, joined by a veth pair; a)
# crosses it too.  --backend kernel (the module loaded) or soft (the
# default) for both esprimd; --kernel is --netns --backend kernel.  The
# kernel backend's cost over the soft one: two runs in one VM boot.  Under
# vm/run.sh --icount guest time advances 1 ns per guest instruction, so
# the "ns/exch" column is guest instructions per exchange (all processes
# and the kernel: one vCPU), as in bench-daemon.sh.  As root (the module's
# keys, network namespaces); KEEP=1 leaves the directory with the
# configurations and logs in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "bench-sidecar: run as root (the daemons' CSE is user 0)" >&2
	exit 1
fi

ESPRIMD=$PWD/build/user/esprimd
ESPRIMCTL=$PWD/build/user/esprimctl
CSE=$PWD/build/selftests/fixtures/cse_standin
BENCH=$PWD/build/bench/sidecar_bench
# Identities of their own: the tests' gateways keep rand objects in the
# user keyring under theirs.
ID1=//sp1.example/CSE-sb1
ID2=//sp2.example/CSE-sb2
KID=13-sb1-sb2.example
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PREFIX=/_/sp2.example/CSE-sb2/cseb	# CSE B's CSEBase, absolute
NS1=esprim-bench1
NS2=esprim-bench2

netns=
backend=soft
requests=20000
conns_list=1,4,16,64
op=create
perf_out=
usage() {
	echo "usage: $0 [--kernel | --netns [--backend soft|kernel]]" \
		"[--requests N] [--connections N[,N...]]" \
		"[--op create|retrieve] [--perf FILE]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) netns=1; backend=kernel ;;
	--netns) netns=1 ;;
	--backend) [ $# -ge 2 ] || usage; backend=$2; shift ;;
	--requests) [ $# -ge 2 ] || usage; requests=$2; shift ;;
	--connections) [ $# -ge 2 ] || usage; conns_list=$2; shift ;;
	--op) [ $# -ge 2 ] || usage; op=$2; shift ;;
	--perf) [ $# -ge 2 ] || usage; perf_out=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $requests =~ ^[1-9][0-9]{0,8}$ ]] || usage
[[ $conns_list =~ ^[1-9][0-9]{0,3}(,[1-9][0-9]{0,3})*$ ]] || usage
[[ $op = create || $op = retrieve ]] || usage
[[ $backend = soft || $backend = kernel ]] || usage
[[ $backend = soft || -n $netns ]] || usage
for f in "$ESPRIMD" "$ESPRIMCTL" "$CSE" "$BENCH"; do
	if [ ! -x "$f" ]; then
		echo "bench-sidecar: $f missing (make user selftests)" >&2
		exit 1
	fi
done
if ! command -v curl >/dev/null; then
	echo "bench-sidecar: curl(1) needed to create the container" >&2
	exit 1
fi
if [ -n "$perf_out" ] && ! command -v perf >/dev/null; then
	echo "bench-sidecar: --perf: perf(1) is not installed" >&2
	exit 1
fi

if [ -n "$netns" ]; then
	addr1=10.77.1.1
	addr2=10.77.1.2
	in1=(ip netns exec "$NS1")
	in2=(ip netns exec "$NS2")
	cse2_listen=0.0.0.0:0	# the AE reaches it over the veth for a)
else
	addr1=127.0.0.1
	addr2=127.0.0.1
	in1=()
	in2=()
	cse2_listen=127.0.0.1:0
fi

dir=$(mktemp -d /tmp/bench-sidecar.XXXXXX)
chmod 755 "$dir"
pids=()
perf_pid=
cleanup() {
	local p

	[ -z "$perf_pid" ] || kill -INT "$perf_pid" 2>/dev/null || true
	for p in "${pids[@]}"; do
		if kill -TERM "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null || true
		fi
	done
	if [ -n "$netns" ]; then
		ip netns del "$NS1" 2>/dev/null || true
		ip netns del "$NS2" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

# A TCP port free on this machine (the daemons differ on 127.0.0.1).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Two network namespaces joined by a veth pair (bench-daemon.sh's).
netns_up() {
	# free_port() binds 127.0.0.1 in this namespace: lo must be up.
	ip link set lo up
	# Built in, or a module; "ip link add" says so when it is neither.
	modprobe veth 2>/dev/null || true
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

# start_cse NAME CSI RN LISTEN NETNS...: its pid in $started, port in
# $port.
start_cse() {
	local name=$1 csi=$2 rn=$3 listen=$4 i

	shift 4
	"$@" "$CSE" --listen "$listen" --csi "$csi" --rn "$rn" \
		--max-resources 50000000 >"$dir/$name-cse.out" \
		2>"$dir/$name-cse.err" &
	started=$!
	pids+=("$started")
	for i in $(seq 200); do
		port=$(awk '/^listening on/ { print $3 }' "$dir/$name-cse.out")
		[ -z "$port" ] || return 0
		kill -0 "$started" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench-sidecar: the CSE stand-in of $name did not start:" >&2
	cat "$dir/$name-cse.err" >&2
	return 1
}

# write_conf NAME IDENTITY ADDR PORT CSE_PORT PEER_NAME PEER_ID PEER_ADDR
#            PEER_PORT PROTECT [OUTBOUND_PORT]
write_conf() {
	mkdir -p "$dir/$1"
	cat >"$dir/$1/esprimd.conf" <<-EOF
	[daemon]
	identity = $2
	backend = $backend
	socket = $dir/$1/esprimd.sock
	listen = $3:$4

	[rand]
	per_request = no

	[sidecar]
	cse = http://127.0.0.1:$5
	EOF
	if [ -n "${11:-}" ]; then
		echo "outbound = 127.0.0.1:${11}" >>"$dir/$1/esprimd.conf"
	fi
	cat >>"$dir/$1/esprimd.conf" <<-EOF

	[cse local]
	user = 0
	identity = $2

	[peer $6]
	identity = $7
	kid = $KID
	address = http://$8:$9/
	key = 13
	key_file = $dir/k12.key
	protect = ${10}
	EOF
}

# start_gw NAME NETNS...: the daemon's pid in $started; waits for its
# socket, the last thing set up.
start_gw() {
	local name=$1 i

	shift
	"$@" "$ESPRIMD" -f -c "$dir/$name/esprimd.conf" \
		>"$dir/$name/esprimd.log" 2>&1 &
	started=$!
	pids+=("$started")
	for i in $(seq 200); do
		if [ -S "$dir/$name/esprimd.sock" ] &&
		   grep -q "socket $dir/$name/esprimd.sock" \
			"$dir/$name/esprimd.log"; then
			return 0
		fi
		kill -0 "$started" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench-sidecar: $name did not start:" >&2
	cat "$dir/$name/esprimd.log" >&2
	return 1
}

# gw1's counter of sealed requests.
seals1() {
	"$ESPRIMCTL" -j stats --socket "$dir/gw1/esprimd.sock" |
		python3 -c 'import json, sys
def find(o):
    if isinstance(o, dict):
        if "seals" in o and "responses_sealed" in o:
            return o["seals"]
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    return None
print(find(json.load(sys.stdin)))'
}

# Switches gw1's protect for gw2 and has it read its configuration.
protect1() {
	write_conf gw1 "$ID1" "$addr1" "$port1" "$cse1_port" gw2 "$ID2" \
		"$addr2" "$port2" "$1" "$out1"
	"$ESPRIMCTL" reload --socket "$dir/gw1/esprimd.sock" >/dev/null
}

# utime + stime of a process, clock ticks.
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# A oneM2M Create on CSE B directly (from its namespace), checked.
create_on_b() {
	local out

	out=$("${in2[@]}" curl -sS -o /dev/null -D - -X POST \
		-H "X-M2M-Origin: Cbench" -H "X-M2M-RI: setup-$1" \
		-H "X-M2M-RVI: 4" -H "Content-Type: application/json;ty=$2" \
		--data "$3" "http://127.0.0.1:$cse2_port$PREFIX$4")
	if ! grep -qi '^X-M2M-RSC: 2001' <<<"$out"; then
		echo "bench-sidecar: creating on CSE B failed:" >&2
		echo "$out" >&2
		exit 1
	fi
}

umask 077
printf '%s\n' "$KEY" >"$dir/k12.key"
chmod 600 "$dir/k12.key"
umask 022
if [ -n "$netns" ]; then
	netns_up
fi
port1=$(free_port)
port2=$(free_port)
out1=$(free_port)
while [ "$port2" = "$port1" ] || [ "$out1" = "$port1" ] ||
      [ "$out1" = "$port2" ]; do
	port2=$(free_port)
	out1=$(free_port)
done

start_cse gw1 /CSE-sb1 csea 127.0.0.1:0 "${in1[@]}"
cse1_port=$port
pid_cse1=$started
start_cse gw2 /CSE-sb2 cseb "$cse2_listen" "${in2[@]}"
cse2_port=$port
pid_cse2=$started
write_conf gw1 "$ID1" "$addr1" "$port1" "$cse1_port" gw2 "$ID2" "$addr2" \
	"$port2" never "$out1"
write_conf gw2 "$ID2" "$addr2" "$port2" "$cse2_port" gw1 "$ID1" "$addr1" \
	"$port1" require
start_gw gw1 "${in1[@]}"
pid1=$started
start_gw gw2 "${in2[@]}"
pid2=$started

create_on_b 1 3 '{"m2m:cnt":{"rn":"data"}}' ""
create_on_b 2 4 '{"m2m:cin":{"con":"first"}}' /data

# The AE's targets, from gateway A.
url_direct=http://$addr2:$cse2_port$PREFIX
url_sidecar=http://127.0.0.1:$out1$PREFIX

echo "# sidecar bench: $backend backend, op $op, $requests requests per run," \
	"$(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 \
	/proc/loadavg)"
echo "# ns/exch: elapsed / requests (under vm/run.sh --icount, 1 ns = 1" \
	"guest instruction: instructions per exchange, all processes)"
echo "# CPU us/exch: each process's user+system time per exchange" \
	"(warm-up included), ae = the load generator"
printf '%-5s %-22s %8s %9s %9s %9s | %6s %6s %6s %6s %6s %7s\n' conns mode \
	req/s p50_us p99_us ns/exch ae gw1 gw2 cse_b cse_a total

hz=$(getconf CLK_TCK)
# run MODE LABEL URL CONNS: one measured run; sets r_rps, r_p50, r_p99,
# r_cpu (total CPU us per exchange).
run() {
	local mode=$1 label=$2 url=$3 c=$4 warmup=$((4 * $4 + 100))
	local out res p t0=() t1=() cpu=() i ae total

	for p in "$pid1" "$pid2" "$pid_cse2" "$pid_cse1"; do
		t0+=("$(ticks "$p")")
	done
	if [ -n "$perf_out" ] && [ "$mode" = c ]; then
		perf record -q -g -o "$perf_out.$c" -p "$pid1,$pid2" \
			>/dev/null 2>&1 &
		perf_pid=$!
		sleep 0.5
	fi
	if ! out=$("${in1[@]}" "$BENCH" --url "$url" --connections "$c" \
		   --requests "$requests" --warmup "$warmup" --op "$op"); then
		echo "bench-sidecar: $label with $c connections failed:" >&2
		echo "$out" >&2
		exit 1
	fi
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"
		wait "$perf_pid" || true
		perf_pid=
	fi
	for p in "$pid1" "$pid2" "$pid_cse2" "$pid_cse1"; do
		t1+=("$(ticks "$p")")
	done
	for i in 0 1 2 3; do
		cpu+=("$(awk -v a="${t0[$i]}" -v b="${t1[$i]}" -v hz="$hz" \
			-v n="$((requests + warmup))" \
			'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')")
	done
	res=$(sed -n 's/^result: //p' <<<"$out")
	field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$res"; }
	r_rps=$(field rps)
	r_p50=$(field p50_us)
	r_p99=$(field p99_us)
	ae=$(field client_us)
	total=$(awk -v a="$ae" -v b="${cpu[0]}" -v c="${cpu[1]}" \
		-v d="${cpu[2]}" -v e="${cpu[3]}" \
		'BEGIN { printf "%.1f", a + b + c + d + e }')
	r_cpu=$total
	printf '%-5s %-22s %8s %9s %9s %9s | %6s %6s %6s %6s %6s %7s\n' \
		"$c" "$label" "$r_rps" "$r_p50" "$r_p99" \
		"$(field ns_per_exchange)" "$ae" "${cpu[0]}" "${cpu[1]}" \
		"${cpu[2]}" "${cpu[3]}" "$total"
}

IFS=, read -r -a conns <<<"$conns_list"
summary=()
best_c=0
missed_10=
for c in "${conns[@]}"; do
	run a "a) direct to CSE B" "$url_direct" "$c"
	protect1 never
	s0=$(seals1)
	run b "b) pass-through" "$url_sidecar" "$c"
	b_rps=$r_rps b_p50=$r_p50 b_p99=$r_p99 b_cpu=$r_cpu
	s1=$(seals1)
	protect1 require
	run c "c) ESPrim" "$url_sidecar" "$c"
	s2=$(seals1)
	if [ "$s1" != "$s0" ] ||
	   [ "$((s2 - s1))" -lt "$((requests + 4 * c + 100))" ]; then
		echo "bench-sidecar: gw1 sealed $((s1 - s0)) in b) and" \
			"$((s2 - s1)) in c): not the modes measured" >&2
		exit 1
	fi
	summary+=("$(awk -v c="$c" -v br="$b_rps" -v cr="$r_rps" \
		-v bp="$b_p50" -v cp="$r_p50" -v b9="$b_p99" -v c9="$r_p99" \
		-v bc="$b_cpu" -v cc="$r_cpu" -v cores="$(nproc)" 'BEGIN {
		printf "%-5s %+10.1f%% %+8.1f%% %+8.1f%% %+8.1f%% %9.0f %9.0f",
			c, (cr - br) * 100 / br, (cp - bp) * 100 / bp,
			(c9 - b9) * 100 / b9, (cc - bc) * 100 / bc,
			cores * 1e6 / bc, cores * 1e6 / cc }')")
	if awk -v br="$b_rps" -v cr="$r_rps" \
		'BEGIN { exit !(cr < 0.9 * br) }'; then
		missed_10+=" $c"
	fi
	if awk -v a="$r_rps" -v b="$best_c" 'BEGIN { exit !(a > b) }'; then
		best_c=$r_rps
	fi
done
echo "# ESPrim (c) against pass-through (b); ceiling: $(nproc) cores /" \
	"CPU per exchange, exchanges/s were every core free for them"
printf '%-5s %11s %9s %9s %9s %9s %9s\n' conns throughput p50 p99 \
	CPU/exch ceiling_b ceiling_c
printf '%s\n' "${summary[@]}"
echo "# goal, ESPrim costs at most 10% of pass-through's throughput:" \
	"$(if [ -n "$missed_10" ]; then echo "missed at connections$missed_10"
	   else echo met; fi)"
echo "# goal, at least 10,000 sealed exchanges/s: best c) $best_c/s," \
	"$(awk -v b="$best_c" 'BEGIN { print (b >= 10000 ? "met" : "missed") }')"
if [ -n "$perf_out" ]; then
	echo "# perf data of c): $perf_out.<conns> (perf report -i FILE)"
fi
