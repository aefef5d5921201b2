#!/usr/bin/env bash
# nginx for the HealthCheck integration tests, on 127.0.0.1 with its own prefix directory.
#   nginx-fixture.sh start DIR   -> generates a self-signed cert and a config in DIR, starts nginx,
#                                   prints "HTTP_PORT HTTPS_PORT MTLS_PORT"; MTLS_PORT asks for a client certificate
#                                   signed by DIR/client-ca.pem (DIR/client.pem with DIR/client.key, or
#                                   DIR/client-enc.key encrypted with the passphrase "s3cret")
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
  # A client CA and a client certificate it signs, for SSL_GET's SSL { certificate key password } (mutual TLS).
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=vigil client CA" \
    -keyout "$dir/client-ca.key" -out "$dir/client-ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=vigil checker" -keyout "$dir/client.key" -out "$dir/client.csr" 2>/dev/null
  openssl x509 -req -days 1 -in "$dir/client.csr" -CA "$dir/client-ca.pem" -CAkey "$dir/client-ca.key" \
    -CAcreateserial -out "$dir/client.pem" 2>/dev/null
  openssl pkey -in "$dir/client.key" -aes256 -passout pass:s3cret -out "$dir/client-enc.key" 2>/dev/null
  read -r http https mtls < <(python3 -c '
import socket
ss=[socket.socket() for _ in range(3)]
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
  server {
    listen 127.0.0.1:$mtls ssl;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    ssl_client_certificate $dir/client-ca.pem;
    ssl_verify_client on;
    root $dir/html;
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" </dev/null >"$dir/logs/stdout.log" 2>&1
  for _ in $(seq 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
  [ -s "$dir/nginx.pid" ] || { echo "nginx did not start" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
  echo "$http $https $mtls"
  ;;
stop)
  if [ -s "$dir/nginx.pid" ]; then
    pid=$(cat "$dir/nginx.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  ;;
esac
