#!/bin/sh
# run.sh -- run one fuzzer built by build.sh on a copy of its seed corpus.
#
#   tests/fuzz/run.sh TARGET [SECONDS] [BUILDDIR] [WORKDIR]
#
# TARGET is a harness without "fuzz_" (query, multipart, csv, sanitize,
# tpl, money, json, request). The growing corpus and any crash/timeout
# files go to WORKDIR/TARGET (default /tmp/fuzz-run), never into the tree;
# the smallest input per failed soft invariant goes to WORKDIR/TARGET/soft.
# Extra libFuzzer flags can be passed in FUZZ_FLAGS.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=$1
secs=${2:-240}
bin=${3:-/tmp/fuzz-build}/fuzz_$t
work=${4:-/tmp/fuzz-run}/$t
mkdir -p "$work/corpus" "$work/artifacts" "$work/soft"
export FUZZ_SOFT_DIR="$work/soft"
cp -n "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
dict=
[ -f "$here/dict/$t.dict" ] && dict=-dict=$here/dict/$t.dict
exec nice -n 10 "$bin" $dict -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=5 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    ${FUZZ_FLAGS:-} "$work/corpus"
