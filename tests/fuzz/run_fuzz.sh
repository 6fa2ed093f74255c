#!/bin/sh
# Runs one libFuzzer target for a bounded time on a copy of its seed corpus (so the
# repository is never written), then fails if libFuzzer reported a crash, leak,
# timeout or sanitizer error. Crashing inputs are kept in $RS_BUILD/fuzz-artifacts.
# Usage: run_fuzz.sh BINARY CORPUS_DIR SECONDS
set -eu
bin=$1 corpus=$2 secs=$3
name=$(basename "$bin")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-fuzz-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
art=${RS_BUILD:-$tmp}/fuzz-artifacts/$name
mkdir -p "$tmp/corpus" "$art"
cp "$corpus"/* "$tmp/corpus/"
rc=0
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-dict="$(dirname "$0")/http.dict" \
	-artifact_prefix="$art/" "$tmp/corpus" >"$tmp/log" 2>&1 || rc=$?
tail -n 40 "$tmp/log"
if [ "$rc" -ne 0 ] || grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\|libFuzzer\)\|runtime error:' "$tmp/log"; then
	echo "FAIL: $name exited $rc; crashing input(s) in $art/" >&2
	exit 1
fi
echo "PASS: $name ran ${secs}s, corpus $(ls "$tmp/corpus" | wc -l) inputs"
