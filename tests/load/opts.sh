#!/bin/sh
# ringside-load option errors, with --engine $1 (uring or epoll) in front of each:
# each bad value exits 2 with exactly one line on stderr and nothing on stdout;
# --help and --version exit 0; a bad --engine is a bad value like any other.
bin="${RS_BUILD:-.}/ringside-load"
[ -x "$bin" ] || { echo "ringside-load not found at $bin (set RS_BUILD)"; exit 1; }
case "$1" in
uring | epoll) engine=$1 ;;
*) echo "usage: $0 uring|epoll"; exit 1 ;;
esac
fail=0
t=127.0.0.1:9
check() {
	out=$("$bin" --engine "$engine" "$@" 2>/tmp/rs-load-opts.$$ </dev/null)
	rc=$?
	lines=$(wc -l </tmp/rs-load-opts.$$)
	if [ "$rc" != 2 ] || [ "$lines" != 1 ] || [ -n "$out" ]; then
		echo "FAIL: ringside-load $*: exit $rc, $lines stderr lines:"
		cat /tmp/rs-load-opts.$$
		fail=1
	fi
}
check --target $t --connections 0
check --target $t --rate -1
check --target $t --rate 0
check --target $t --duration abc
check --target $t --duration 0
check --target nohost
check --target host:0
check --target host:65536
check --target $t --mode foo
check --target $t --threads 4 --connections 2
check --target $t --payload 0
check --target $t --depth 0
check --target $t --timeout -5
check --target $t --warmup x
check --target $t --cpus 9999
check --target $t --path nope
check --target $t --path "/a b"
check --target $t --new-connection-per-request --depth 2
check --target $t --mode http --new-connection-per-request --depth 2
check --target $t --phase-fd 999
check --target $t --expect-body 100
check --target $t --mode http --expect-body x
check --target $t --tick-max-us 0
check --target $t --tick-max-us 100001
check --target $t --max-lag-ms 0
check --target $t --max-lag-ms x
check --target $t --bogus
check --target $t extra
check --target
check --connections 5
check -c
check --target $t --engine
check --target $t --engine io_uring
check --target $t --engine ""
rm -f /tmp/rs-load-opts.$$
"$bin" --help | grep -q -- "--new-connection-per-request" || { echo "FAIL: --help"; fail=1; }
v=$("$bin" --engine "$engine" --version) && [ "$v" = "ringside-load $("$bin" --version | cut -d' ' -f2)" ] &&
	echo "$v" | grep -Eq '^ringside-load [0-9]+\.[0-9]+\.[0-9]+$' || { echo "FAIL: --version: $v"; fail=1; }
"$bin" --help | grep -q -- "--engine uring|epoll" || { echo "FAIL: --help lacks --engine"; fail=1; }
"$bin" --help | grep -q -- "--max-lag-ms" || { echo "FAIL: --help lacks --max-lag-ms"; fail=1; }
[ $fail = 0 ] && echo "ringside-load option errors: all rejected with exit 2"
exit $fail
