#!/bin/sh
# Validate the deployment examples without Docker: the Compose file parses and names what
# nginx.conf expects, nginx accepts its configuration, systemd accepts the unit.
# Needs python3 with PyYAML; nginx and systemd-analyze are used when installed.
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
import re, yaml
compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
assert {"app1", "app2", "db", "redis", "nginx", "migrate"} <= set(services), services
upstreams = set(re.findall(r"server (\w+):8080", open("nginx.conf").read()))
assert upstreams == {"app1", "app2"} <= set(services), upstreams
nginx_ip = services["nginx"]["networks"]["backend"]["ipv4_address"]
for name in ("app1", "app2"):
    env = services[name]["environment"]
    assert nginx_ip in env["COMMENTBOX_TRUSTED_PROXIES"], env
    assert env["COMMENTBOX_REDIS_URL"].startswith("redis://redis:")
    assert "@db:5432/" in env["COMMENTBOX_DATABASE_URL"]
print("docker-compose.yml: parses;", ", ".join(sorted(services)))
PY
if command -v nginx >/dev/null; then
  tmp=$(mktemp -d)
  # Outside Compose the upstream names do not resolve and Debian has no "nginx" user.
  sed -e 's/server app[12]:8080/server 127.0.0.1:8080/' -e 's/^user nginx;.*/user www-data;/' \
      -e "s|/var/cache/nginx/commentbox|$tmp/cache|" nginx.conf > "$tmp/nginx.conf"
  nginx -t -q -c "$tmp/nginx.conf" -g "pid $tmp/nginx.pid; error_log $tmp/error.log;"
  echo "nginx.conf: nginx -t passes"
  rm -rf "$tmp"
fi
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --man=no ./commentbox.service 2>&1 | grep -v -e "not executable" -e "No such file" || true
  echo "commentbox.service: systemd-analyze verify ran"
fi
