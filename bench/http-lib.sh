# bench/http-lib.sh — what bench/http and bench/http-pg share (sourced):
# nginx's configuration for static files, the CPU time of processes, one
# wrk run summarised, and the median of a list.

# Writes $1/nginx/nginx.conf: nginx serving $1/www on 127.0.0.1:$2 in the
# configuration that serves small files fastest here (descriptors cached,
# read() not sendfile(), no access log, one worker per core); $3, if any,
# is added inside the server block.
nginx_conf() {
	local tmp=$1 port=$2 extra=${3:-}
	cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile off;
	tcp_nodelay on;
	open_file_cache max=64 inactive=600s;
	open_file_cache_valid 600s;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	types { }
	default_type "text/html; charset=utf-8";
	server {
		listen 127.0.0.1:$port;
		root $tmp/www;
		$extra
	}
}
EOF
}

# CPU time (user + system, in clock ticks) of each given process so far:
# lines "PID TICKS"; a process that has ended is left out.
cpu_ticks() {
	local p s
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		# Fields 14 and 15 of /proc/PID/stat; the command name (field 2)
		# is in parentheses and may hold spaces, so count from its end.
		echo "$p $(sed 's/.*) //' <<<"$s" | awk '{ print $12 + $13 }')"
	done
}

# wrk_measure PIDS OUT WRK-COMMAND...: runs the wrk command line (its
# output kept in the file OUT) while counting the CPU time of the processes
# PIDS (ids, space-separated; one that ends meanwhile, such as a database
# worker, is not counted); prints "req_per_s p50_ms p99_ms errors
# cpu_us_per_request".
wrk_measure() {
	local pids=$1 out=$2 before after ticks
	shift 2
	# shellcheck disable=SC2086
	before=$(cpu_ticks $pids)
	"$@" >"$out"
	# shellcheck disable=SC2086
	after=$(cpu_ticks $pids)
	ticks=$(awk 'NR == FNR { b[$1] = $2; next } $1 in b { t += $2 - b[$1] } END { print t + 0 }' \
		<(echo "$before") <(echo "$after"))
	awk -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" '
		function ms(v) {
			if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
			if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
			if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
			return v + 0
		}
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		$1 == "Requests/sec:" { rps = $2 }
		/Non-2xx or 3xx responses:/ { err += $NF }
		/Socket errors:/ { for (i = 3; i <= NF; i += 2) err += $(i + 1) }
		/requests in/ { n = $1 }
		END { printf "%.0f %.3f %.3f %d %.1f\n", rps, p50, p99, err, n ? ticks / hz * 1e6 / n : 0 }' "$out"
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
