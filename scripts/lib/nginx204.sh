# nginx answering 204 to everything on 0.0.0.0:8080 in a network namespace, sized for 10,000 checks a second: the
# real servers of the check benchmark and of the load run. Source it, then:
#   nginx204_start NS DIR   -> starts it with DIR as its prefix; sets NGINX204_PID, or fails with nginx's error log.
nginx204_start() {
  local ns=$1 dir=$2
  mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 65536; pid $dir/nginx.pid; error_log $dir/logs/error.log;
events { worker_connections 16384; }
http { access_log off; server { listen 0.0.0.0:8080 backlog=8192; return 204; } }
CONF
  ip netns exec "$ns" nginx -p "$dir" -c "$dir/nginx.conf" </dev/null >/dev/null 2>&1
  for _ in $(seq 100); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
  [ -s "$dir/nginx.pid" ] || { echo "nginx did not start" >&2; cat "$dir/logs/error.log" >&2; return 1; }
  NGINX204_PID=$(cat "$dir/nginx.pid")
}
