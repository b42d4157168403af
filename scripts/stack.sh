# scripts/stack.sh — start and stop the pieces of a private dinghuo stack:
# MariaDB, nginx and `dinghuo serve`. A bash library, sourced by dev-up,
# dev-down and (through `bash -c '. scripts/stack.sh; fn ...'`) by
# tests/integration/conftest.py. Each function works inside the directory it
# is given and signals only the pids it wrote there; nothing system-wide is
# started, stopped or written. Functions return non-zero and say why on
# stderr; they never exit the caller's shell, and are safe under set -e.
# shellcheck shell=bash

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_TIMEOUT=${STACK_TIMEOUT:-60}	# seconds any one start may take

stack_log()
{
	printf 'stack: %s\n' "$*" >&2
}

# Milliseconds since the epoch, from bash alone.
stack_now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# stack_poll SECONDS CMD...: run CMD until it succeeds (0) or gives up (2),
# or SECONDS pass (1). Waits between tries grow from 20 ms to 250 ms.
stack_poll()
{
	local deadline=$(($(stack_now_ms) + $1 * 1000)) delay=0.02 rc
	shift
	while :; do
		rc=0
		"$@" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		[ "$rc" -eq 2 ] && return 2
		[ "$(stack_now_ms)" -lt "$deadline" ] || return 1
		sleep "$delay"
		case $delay in
		0.02) delay=0.05 ;;
		0.05) delay=0.1 ;;
		*) delay=0.25 ;;
		esac
	done
}

# stack_alive PID: PID exists and is not a zombie (PID 1 here may never
# reap what it inherits, so a dead process can linger as Z).
stack_alive()
{
	local stat state
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	state=${stat##*) }
	state=${state%% *}
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# stack_pid_of PIDFILE PATTERN: print the pid in PIDFILE if that process is
# alive and its command line contains PATTERN (so a recycled pid is never
# mistaken for ours).
stack_pid_of()
{
	local pid cmd
	[ -r "$1" ] || return 1
	read -r pid 2>/dev/null <"$1" || [ -n "$pid" ] || return 1
	stack_alive "$pid" || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"$2"* ]] || return 1
	echo "$pid"
}

stack__gone()
{
	! stack_alive "$1"
}

# stack_children PID: live children of PID, one a line.
stack_children()
{
	local f stat rest ppid pid
	for f in /proc/[0-9]*/stat; do
		stat=$(cat "$f" 2>/dev/null) || continue
		pid=${stat%% *}
		rest=${stat##*) }	# "S ppid pgrp ..."
		read -r _ ppid _ <<<"$rest"
		[ "$ppid" = "$1" ] && stack_alive "$pid" && echo "$pid"
	done
	return 0
}

# stack_stop_pid PID SIGNAL SECONDS NAME: send SIGNAL, wait for the process
# to go; SIGKILL (it and its children) only if it is still there after
# SECONDS.
stack_stop_pid()
{
	local pid=$1 sig=$2 secs=$3 name=$4 kids=()
	stack_alive "$pid" || return 0
	kill "-$sig" "$pid" 2>/dev/null || return 0
	if stack_poll "$secs" stack__gone "$pid"; then
		return 0
	fi
	stack_log "$name pid $pid ignored SIG$sig for ${secs}s; sending SIGKILL"
	mapfile -t kids < <(stack_children "$pid")
	kill -KILL "$pid" "${kids[@]}" 2>/dev/null || true
	stack_poll 10 stack__gone "$pid" || true
	return 0
}

# stack_tail FILE [LINES]: show the end of a log, for failures.
stack_tail()
{
	[ -s "$1" ] || return 0
	printf -- '--- last lines of %s ---\n' "$1" >&2
	tail -n "${2:-40}" "$1" >&2
	printf -- '---\n' >&2
}

# stack_sed_escape STRING: STRING made safe as a sed s||| replacement.
stack_sed_escape()
{
	printf '%s' "$1" | sed -e 's/[|&\\]/\\&/g'
}

# stack_free_port: print a TCP port on 127.0.0.1 that is free right now.
stack_free_port()
{
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stack_http_status URL: print the HTTP status of GET URL (000 if none).
stack_http_status()
{
	curl -s -o /dev/null -w '%{http_code}' --noproxy '*' \
	    --connect-timeout 2 --max-time 5 "$1" 2>/dev/null || true
}

#
# MariaDB
#

stack_mariadbd()
{
	command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd
}

# stack_mysql DIR [ARGS...]: the mariadb client as root on DIR's socket.
stack_mysql()
{
	local dir=$1
	shift
	mariadb --no-defaults --socket="$dir/mysql.sock" -uroot "$@"
}

# Poll step: 0 when the server answers ping or has died (the caller checks
# which), 1 while it is starting.
stack__mysql_up()
{
	stack_alive "$1" || return 0
	mariadb-admin --no-defaults --socket="$2" -uroot --connect-timeout=2 \
	    ping >/dev/null 2>&1
}

# stack_mysql_start DIR PORT [DB]: a private MariaDB with its data in
# DIR/mysql, socket DIR/mysql.sock, TCP on 127.0.0.1:PORT, pid in
# DIR/mysql.pid, log DIR/mysql.err. Creates database DB (default dinghuo) and
# user dinghuo/dinghuo for localhost (socket) and 127.0.0.1 (TCP). Reuses an
# existing data directory and an already running server.
stack_mysql_start()
{
	local dir=$1 port=$2 db=${3:-dinghuo}
	local datadir=$1/mysql sock=$1/mysql.sock pidf=$1/mysql.pid
	local log=$1/mysql.err pid

	if [ -z "$dir" ] || [ -z "$port" ]; then
		stack_log "usage: stack_mysql_start DIR PORT [DB]"
		return 1
	fi
	if [ ${#sock} -gt 100 ]; then
		stack_log "socket path too long for a unix socket: $sock"
		return 1
	fi
	mkdir -p "$dir/mysql-tmp" || return 1

	if pid=$(stack_pid_of "$pidf" "--datadir=$datadir"); then
		stack_log "mariadb already running (pid $pid)"
	else
		if [ ! -d "$datadir/mysql" ]; then
			# root gets no password, on the socket only: the server
			# listens on 127.0.0.1 and the stack is private.
			if ! mariadb-install-db --no-defaults \
			    --datadir="$datadir" --user="$(id -un)" \
			    --auth-root-authentication-method=normal \
			    --skip-test-db --skip-name-resolve \
			    --innodb-log-file-size=16M \
			    >"$dir/mysql-install.log" 2>&1; then
				stack_log "mariadb-install-db failed"
				stack_tail "$dir/mysql-install.log"
				return 1
			fi
		fi
		rm -f "$sock" "$sock.lock"	# stale, as the server is not ours
		"$(stack_mariadbd)" --no-defaults \
		    --datadir="$datadir" \
		    --socket="$sock" \
		    --port="$port" \
		    --bind-address=127.0.0.1 \
		    --skip-name-resolve \
		    --user="$(id -un)" \
		    --pid-file="$pidf" \
		    --log-error="$log" \
		    --tmpdir="$dir/mysql-tmp" \
		    --character-set-server=utf8mb4 \
		    --collation-server=utf8mb4_unicode_ci \
		    --default-time-zone=+00:00 \
		    --innodb-buffer-pool-size=64M \
		    --innodb-log-file-size=16M \
		    --innodb-log-buffer-size=4M \
		    --innodb-flush-log-at-trx-commit=2 \
		    --innodb-doublewrite=0 \
		    --skip-log-bin \
		    --max-connections=200 \
		    ${STACK_MYSQLD_EXTRA:-} \
		    </dev/null >>"$log" 2>&1 &
		pid=$!
		echo "$pid" >"$pidf"
		stack_poll "$STACK_TIMEOUT" stack__mysql_up "$pid" "$sock" || true
		if ! stack_alive "$pid"; then
			stack_log "mariadb exited during start-up"
			stack_tail "$log"
			return 1
		fi
		if ! stack__mysql_up "$pid" "$sock"; then
			stack_log "mariadb not answering after ${STACK_TIMEOUT}s"
			stack_tail "$log"
			stack_stop_pid "$pid" TERM 30 mariadb
			return 1
		fi
	fi

	stack_mysql "$dir" <<EOF || { stack_log "creating database $db failed"; return 1; }
CREATE DATABASE IF NOT EXISTS \`$db\`
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'dinghuo'@'localhost' IDENTIFIED BY 'dinghuo';
CREATE USER IF NOT EXISTS 'dinghuo'@'127.0.0.1' IDENTIFIED BY 'dinghuo';
GRANT ALL PRIVILEGES ON \`$db\`.* TO 'dinghuo'@'localhost';
GRANT ALL PRIVILEGES ON \`$db\`.* TO 'dinghuo'@'127.0.0.1';
DELETE FROM mysql.global_priv WHERE User = ''
    OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1'));
DELETE FROM mysql.proxies_priv
    WHERE Host NOT IN ('localhost', '127.0.0.1', '::1');
FLUSH PRIVILEGES;
EOF
}

# stack_mysql_stop DIR: stop the server stack_mysql_start started in DIR;
# the data stays.
stack_mysql_stop()
{
	local pid
	pid=$(stack_pid_of "$1/mysql.pid" "--datadir=$1/mysql") || {
		rm -f "$1/mysql.pid"
		return 0
	}
	stack_stop_pid "$pid" TERM 60 mariadb
	rm -f "$1/mysql.pid"
}

#
# nginx
#

# stack_nginx_render OUT VAR PORT SOCK TEMPLATES UPLOADS: write nginx/dev.conf
# with its placeholders filled in to OUT and make the directories it names.
stack_nginx_render()
{
	local out=$1 var=$2 port=$3 sock=$4 tpl=$5 up=$6 user

	if [ $# -ne 6 ]; then
		stack_log "usage: stack_nginx_render OUT VAR PORT SOCK TEMPLATES UPLOADS"
		return 1
	fi
	mkdir -p "$var/nginx/tmp" "$var/nginx/empty" "$up" \
	    "$(dirname "$out")" || return 1
	# See the comment at the top of nginx/dev.conf.
	if [ "$(id -u)" -eq 0 ]; then
		user="user root root;"
	else
		user="# not root: workers run as $(id -un)"
	fi
	sed -e "s|@ROOT@|$(stack_sed_escape "$STACK_ROOT")|g" \
	    -e "s|@VAR@|$(stack_sed_escape "$var")|g" \
	    -e "s|@PORT@|$(stack_sed_escape "$port")|g" \
	    -e "s|@SOCK@|$(stack_sed_escape "$sock")|g" \
	    -e "s|@TEMPLATES@|$(stack_sed_escape "$tpl")|g" \
	    -e "s|@UPLOADS@|$(stack_sed_escape "$up")|g" \
	    -e "s|@USER@|$(stack_sed_escape "$user")|g" \
	    "$STACK_ROOT/nginx/dev.conf" >"$out.tmp" || return 1
	if grep -n '@[A-Z]*@' "$out.tmp" >&2; then
		stack_log "placeholders left in $out"
		return 1
	fi
	mv "$out.tmp" "$out"
}

stack_nginx_bin()
{
	command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

# stack_nginx_test VAR CONF: nginx -t on a rendered config.
stack_nginx_test()
{
	"$(stack_nginx_bin)" -q -t -p "$1/nginx/" -c "$2" -e "$1/nginx/error.log"
}

# Poll step: 0 once nginx wrote its pid file (it does so after opening its
# listening sockets) or died, 1 before.
stack__nginx_up()
{
	local p
	stack_alive "$1" || return 0
	read -r p 2>/dev/null <"$2" || return 1
	[ "$p" = "$1" ]
}

# stack_nginx_start VAR CONF: start nginx on a rendered config, pid in
# VAR/nginx/nginx.pid, logs in VAR/nginx/. An nginx already running there
# reloads its config instead.
stack_nginx_start()
{
	local var=$1 conf=$2 pidf=$1/nginx/nginx.pid pid

	if pid=$(stack_pid_of "$pidf" "$var/nginx/"); then
		stack_log "nginx already running (pid $pid); reloading"
		stack_nginx_test "$var" "$conf" || return 1
		kill -HUP "$pid" || true
		return 0
	fi
	stack_nginx_test "$var" "$conf" || {
		stack_tail "$var/nginx/error.log"
		return 1
	}
	rm -f "$pidf"
	"$(stack_nginx_bin)" -p "$var/nginx/" -c "$conf" \
	    -e "$var/nginx/error.log" </dev/null >>"$var/nginx/stderr.log" 2>&1 &
	pid=$!
	stack_poll "$STACK_TIMEOUT" stack__nginx_up "$pid" "$pidf" || true
	if ! stack_alive "$pid" || ! stack__nginx_up "$pid" "$pidf"; then
		stack_log "nginx did not start"
		stack_tail "$var/nginx/stderr.log"
		stack_tail "$var/nginx/error.log"
		stack_stop_pid "$pid" TERM 10 nginx
		return 1
	fi
}

# stack_nginx_stop VAR: stop the nginx stack_nginx_start started there.
stack_nginx_stop()
{
	local pid
	pid=$(stack_pid_of "$1/nginx/nginx.pid" "$1/nginx/") || return 0
	stack_stop_pid "$pid" TERM 15 nginx
}

#
# dinghuo
#

# stack_app_conf FILE KEY=VALUE...: write a dinghuo.conf.
stack_app_conf()
{
	local file=$1 kv
	shift
	{
		echo "# Written by scripts/stack.sh; rewritten on every start."
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
	} >"$file.tmp" && mv "$file.tmp" "$file"
}

# stack_app_run BIN CONF ARGS...: run a dinghuo command. DINGHUO_PORT and
# DINGHUO_BIN belong to the scripts, not to the app's configuration.
stack_app_run()
{
	local bin=$1 conf=$2
	shift 2
	env -u DINGHUO_PORT -u DINGHUO_BIN "$bin" -c "$conf" "$@"
}

# Poll step: 0 once the pid file names the master we started, or it died.
stack__app_pidfile()
{
	local p
	stack_alive "$1" || return 0
	read -r p 2>/dev/null <"$2" || return 1
	[ "$p" = "$1" ]
}

# Poll step: 0 once URL answers 200; 2 if the master died.
stack__app_healthy()
{
	stack_alive "$1" || return 2
	[ "$(stack_http_status "$2")" = 200 ]
}

# stack_app_start BIN CONF PIDFILE HEALTHZ_URL STDERR_LOG [ERROR_LOG]:
# start `dinghuo serve` in the background, wait for its pid file and for
# HEALTHZ_URL (through nginx) to answer 200. On failure show the logs, stop
# it and return 1.
stack_app_start()
{
	local bin=$1 conf=$2 pidf=$3 url=$4 out=$5 errlog=${6:-} pid

	if pid=$(stack_pid_of "$pidf" dinghuo); then
		stack_log "dinghuo already running (pid $pid); stop it first"
		return 1
	fi
	rm -f "$pidf"
	mkdir -p "$(dirname "$out")" "$(dirname "$pidf")" || return 1
	# Not through stack_app_run: $! must be the master itself, and a
	# backgrounded function would be a subshell around it.
	env -u DINGHUO_PORT -u DINGHUO_BIN "$bin" -c "$conf" serve \
	    </dev/null >>"$out" 2>&1 &
	pid=$!
	stack_poll "$STACK_TIMEOUT" stack__app_pidfile "$pid" "$pidf" || true
	if ! stack_alive "$pid"; then
		stack_log "dinghuo serve exited during start-up"
	elif ! stack__app_pidfile "$pid" "$pidf"; then
		stack_log "dinghuo serve wrote no pid file $pidf"
	elif stack_poll "$STACK_TIMEOUT" stack__app_healthy "$pid" "$url"; then
		return 0
	else
		stack_log "$url not 200 (last: $(stack_http_status "$url"))"
	fi
	stack_tail "$out"
	if [ -n "$errlog" ]; then
		stack_tail "$errlog"
	fi
	stack_stop_pid "$pid" TERM 15 dinghuo
	return 1
}

# stack_app_stop PIDFILE [SECONDS]: SIGTERM the master (it drains its
# workers), SIGKILL only after SECONDS (default 30).
stack_app_stop()
{
	local pid
	pid=$(stack_pid_of "$1" dinghuo) || return 0
	stack_stop_pid "$pid" TERM "${2:-30}" dinghuo
}
