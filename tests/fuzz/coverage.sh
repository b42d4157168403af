#!/bin/sh
# coverage.sh -- line/region coverage of one harness's corpus (source
# based, no sanitizers), to see what the fuzzer reached.
#
#   tests/fuzz/coverage.sh TARGET CORPUSDIR [OUTDIR] [FILE.c ...]
#
# Builds OUTDIR/cov/fuzz_TARGET (default OUTDIR /tmp/fuzz-build) with
# -fprofile-instr-generate -fcoverage-mapping, runs every input of
# CORPUSDIR once, and prints llvm-cov's report for the given src/ files
# (default: the file the target is about). Needs llvm-profdata/llvm-cov.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
t=$1
corpus=$2
out=${3:-/tmp/fuzz-build}
shift 2; [ $# -gt 0 ] && shift
CC=${CC:-/usr/bin/clang}
CONFIG_H=${CONFIG_H:-$top/build/config.h}
files="$*"
if [ -z "$files" ]; then
	case $t in
	query) files="http/request.c http/form.c base/util.c" ;;
	multipart|json|request) files="http/request.c" ;;
	csv) files="base/csv.c" ;;
	sanitize) files="base/sanitize.c base/sanitize_text.c base/sanitize_attr.c" ;;
	tpl) files="http/tpl.c http/tpl_render.c" ;;
	money) files="domain/pricing.c base/util.c" ;;
	esac
fi
mkdir -p "$out/cov/include"
cp "$CONFIG_H" "$out/cov/include/config.h"
mariadb=libmariadb
pkg-config --exists libmariadb 2>/dev/null || mariadb=mariadb
PKGS="json-c libpcre2-8 libsodium $mariadb"
COVFLAGS="-g -O0 -fprofile-instr-generate -fcoverage-mapping -DHAVE_CONFIG_H \
  -DARENA_STRICT \
  -I$out/cov/include -I$top/src -I$here $(pkg-config --cflags $PKGS)"
# The sources once into an archive (rebuilt when a source is newer).
mkdir -p "$out/cov/obj"
objs=
for f in "$top"/src/*/*.c; do
	b=$(basename "$f" .c)
	case $b in main|image_conv) continue ;; esac
	o="$out/cov/obj/$b.o"
	if [ ! -f "$o" ] || [ -n "$(find "$f" "$top"/src/*.h "$top"/src/*/*.h -newer "$o" | head -1)" ]; then
		$CC $COVFLAGS -fsanitize=fuzzer-no-link -c "$f" -o "$o"
	fi
	objs="$objs $o"
done
rm -f "$out/cov/libcov.a"
ar rcs "$out/cov/libcov.a" $objs
$CC $COVFLAGS -fsanitize=fuzzer "$here/fuzz_$t.c" "$out/cov/libcov.a" $(pkg-config --libs $PKGS) -lfcgi -lm \
    -o "$out/cov/fuzz_$t"
rm -f "$out/cov/$t.profraw"
LLVM_PROFILE_FILE="$out/cov/$t.profraw" "$out/cov/fuzz_$t" -runs=0 \
    "$corpus" >/dev/null 2>&1 || true
llvm-profdata merge -sparse "$out/cov/$t.profraw" -o "$out/cov/$t.profdata"
paths=
for f in $files; do paths="$paths $top/src/$f"; done
llvm-cov report "$out/cov/fuzz_$t" -instr-profile="$out/cov/$t.profdata" \
    $paths
