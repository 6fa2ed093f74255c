#!/bin/sh
# ringside-proxy and ringside-origin option errors: each bad value exits 2 with
# exactly one line on stderr and nothing on stdout (the server never starts);
# --help exits 0 and documents the idle-timeout behaviour.
proxy="${RS_BUILD:-.}/ringside-proxy"
origin="${RS_BUILD:-.}/ringside-origin"
for b in "$proxy" "$origin"; do
	[ -x "$b" ] || { echo "$b not found (set RS_BUILD)"; exit 1; }
done
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT
fail=0
n=0
check() {
	n=$((n + 1))
	out=$(timeout 10 "$@" 2>"$err" </dev/null)
	rc=$?
	lines=$(wc -l <"$err")
	if [ "$rc" != 2 ] || [ "$lines" != 1 ] || [ -n "$out" ]; then
		echo "FAIL: $*: exit $rc, $lines stderr lines, stdout '$out':"
		cat "$err"
		fail=1
	fi
}
u=127.0.0.1:9
P="$proxy --model epoll --upstream $u"
check "$proxy" --model foo --upstream $u
check "$proxy" --model "" --upstream $u
check "$proxy" --upstream $u
check "$proxy" --model epoll
check "$proxy" --model epoll --upstream nohost
check "$proxy" --model epoll --upstream 127.0.0.1:
check "$proxy" --model epoll --upstream :80
check "$proxy" --model epoll --upstream 127.0.0.1:0
check "$proxy" --model epoll --upstream 127.0.0.1:65536
check "$proxy" --model epoll --upstream "[::1:80"
check "$proxy" --model epoll --upstream no-such-host.invalid:80
check "$proxy" --model epoll --upstream $u --upstream $u
check "$proxy" --model epoll --route a.test
check "$proxy" --model epoll --route =127.0.0.1:9
check "$proxy" --model epoll --route a.test=nohost
check "$proxy" --model epoll --route a.test=$u --route A.TEST=$u
check "$proxy" --model epoll --upstream $u --route a.test=$u
check $P --port x
check $P --port -1
check $P --port 65536
check $P --upstream-timeout 0
check $P --upstream-timeout x
check $P --upstream-timeout 3600001
check $P --idle-timeout -1
check $P --idle-timeout 1s
check $P --threads 0
check $P --max-conns 0
check $P --cpus 9999
check $P --backlog 0
check $P --sq-cpu 0
check $P --bogus
check $P extra
check $P --upstream-timeout
check $P --port
check "$proxy" --model
check "$origin" --body-bytes x
check "$origin" --body-bytes -1
check "$origin" --body-bytes 67108865
check "$origin" --body-bytes
check "$origin" --model uring
check "$origin" --chunked=yes
check "$origin" --port x
check "$origin" --port 65536
check "$origin" --threads 0
check "$origin" --idle-timeout x
check "$origin" --bogus
check "$origin" extra
check "$origin" --port
if ! "$proxy" --help | grep -q "trickled head does not extend it"; then
	echo "FAIL: ringside-proxy --help does not document --idle-timeout"
	fail=1
fi
"$origin" --help | grep -q -- "--body-bytes" || { echo "FAIL: ringside-origin --help"; fail=1; }
[ $fail = 0 ] && echo "ringside-proxy/origin option errors: $n rejected with exit 2 and one line"
exit $fail
