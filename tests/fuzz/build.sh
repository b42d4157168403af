#!/bin/sh
# build.sh -- build the libFuzzer harnesses into OUTDIR (default
# /tmp/fuzz-build). Compiles src/*/*.c (not main.c, not image_conv.c) with
# ASan + UBSan + fuzzer coverage straight from the tree; touches nothing
# outside OUTDIR.
#
#   tests/fuzz/build.sh [OUTDIR]
#
# Environment:
#   CC        clang to use (default /usr/bin/clang)
#   SRCDIR    the sources to test (default src/ of this tree; point it at
#             a patched copy to check a fix without touching src/)
#   CONFIG_H  config.h from a configured build (default build/config.h);
#             it is copied into OUTDIR/include and only read.
#   ARENA     "strict" (default): src/base/arena.c built with -DARENA_STRICT,
#             one exact-size chunk per arena allocation so ASan sees
#             overflows of arena strings; "real": 16 KB chunks as in
#             production. Use a separate OUTDIR for each.
#   JOBS      parallel compiles (default 2)
#   EXTRA_CFLAGS  appended to the compile flags
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-/tmp/fuzz-build}
CC=${CC:-/usr/bin/clang}
SRCDIR=${SRCDIR:-$top/src}
CONFIG_H=${CONFIG_H:-$top/build/config.h}
ARENA=${ARENA:-strict}
JOBS=${JOBS:-2}
EXTRA_CFLAGS=${EXTRA_CFLAGS:-}

case $out in /*) ;; *) out=$(pwd)/$out ;; esac
mkdir -p "$out/include" "$out/obj"
[ -f "$CONFIG_H" ] || { echo "build.sh: no $CONFIG_H (run configure in build/ or set CONFIG_H)" >&2; exit 1; }
cp "$CONFIG_H" "$out/include/config.h"

mariadb=libmariadb
pkg-config --exists libmariadb 2>/dev/null || mariadb=mariadb
PKGS="json-c libpcre2-8 libsodium $mariadb"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS="$(pkg-config --libs $PKGS) -lfcgi"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -DHAVE_CONFIG_H \
  -I$out/include -I$SRCDIR -I$here $PKG_CFLAGS $EXTRA_CFLAGS"

# The code under test: coverage instrumentation, no fuzzer main.
srcs=
for f in "$SRCDIR"/*/*.c; do
	b=$(basename "$f" .c)
	case $b in
	main|image_conv) continue ;;
	esac
	srcs="$srcs $f"
done
[ "$ARENA" = real ] || CFLAGS="$CFLAGS -DARENA_STRICT"

echo "build.sh: compiling $(echo $srcs | wc -w) files into $out (arena: $ARENA)"
export CC CFLAGS out
printf '%s\n' $srcs | xargs -P "$JOBS" -I{} sh -c '
	f={}; o="$out/obj/$(basename "$f" .c).o"
	stale=$(find "$f" "$out/include/config.h" "$(dirname "$f")"/*.h "$SRCDIR"/*.h -newer "$o" 2>/dev/null | head -1)
	if [ ! -f "$o" ] || [ -n "$stale" ]; then
		$CC $CFLAGS -fsanitize=fuzzer-no-link -c "$f" -o "$o" || exit 255
	fi'
rm -f "$out/libdinghuo-fuzz.a"
objs=
for f in $srcs; do objs="$objs $out/obj/$(basename "$f" .c).o"; done
ar rcs "$out/libdinghuo-fuzz.a" $objs

# One binary per harness.
for h in "$here"/fuzz_*.c; do
	name=$(basename "$h" .c)
	echo "build.sh: $name"
	$CC $CFLAGS -Wall -Wextra -Wno-unused-parameter -fsanitize=fuzzer \
	    "$h" "$out/libdinghuo-fuzz.a" $PKG_LIBS -lm \
	    -o "$out/$name"
done
echo "build.sh: done: $(cd "$out" && ls fuzz_* | tr '\n' ' ')"
