#!/usr/bin/env bash
# nginx for the HealthCheck integration tests, on 127.0.0.1 with its own prefix directory.
#   nginx-fixture.sh start DIR   -> generates a self-signed cert and a config in DIR, starts nginx,
#                                   prints "HTTP_PORT HTTPS_PORT"
#   nginx-fixture.sh stop DIR    -> stops that nginx by the PID in DIR/nginx.pid
set -euo pipefail
cmd=$1 dir=$2
case "$cmd" in
start)
  command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 1; }
  command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 1; }
  mkdir -p "$dir/html/health" "$dir/logs" "$dir/tmp"
  printf 'vigil health page\n' > "$dir/html/index.html"
  head -c 20000 /dev/urandom | base64 > "$dir/html/big.txt"
  printf 'ok\n' > "$dir/html/health/index.html"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=vigil.test" \
    -addext "subjectAltName=DNS:vigil.test" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  read -r http https < <(python3 -c '
import socket
ss=[socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1",0))
print(*[s.getsockname()[1] for s in ss])')
  cat > "$dir/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$http;
    root $dir/html;
  }
  server {
    listen 127.0.0.1:$https ssl;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    root $dir/html;
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" </dev/null >"$dir/logs/stdout.log" 2>&1
  for _ in $(seq 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
  [ -s "$dir/nginx.pid" ] || { echo "nginx did not start" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
  echo "$http $https"
  ;;
stop)
  if [ -s "$dir/nginx.pid" ]; then
    pid=$(cat "$dir/nginx.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  ;;
esac
