#!/bin/bash
# shop3d web tier boot script (Amazon Linux 2023). The cell fills in the placeholder values.
# Hypercorn runs the page renderer (handlers.pages) on 127.0.0.1:8000; nginx in front serves the
# storefront's bundles (/static/) from disk and proxies pages and /healthz to it, over TLS only
# (port 443) with a self-signed certificate made at first boot: the ALB encrypts to its targets
# but does not validate their certificates. The ALB's health check is /healthz over HTTPS: it
# renders the product grid (catalog and manifests read).
#
# Two halves. The portable steps (functions below, rooted in BOOT_ROOT and the ports, production
# values by default) run for real in tests/pages/test_web_boot.py, which sources this script.
# main() holds what only exists on the instance (dnf, users, /etc, systemd) and runs only when
# the script is executed (cloud-init), not when it is sourced.
set -euo pipefail
STOREFRONT_URI="__STOREFRONT_URI__"
RENDERER_OBJECT="__RENDERER_OBJECT__"
REGION="__BUCKET_REGION__"

BOOT_ROOT="${SHOP3D_BOOT_ROOT:-}"  # "" on the instance: the paths below are /srv/...
STOREFRONT_DIR="$BOOT_ROOT/srv/storefront"
RENDERER_DIR="$BOOT_ROOT/srv/renderer"
BUNDLE_ZIP="$BOOT_ROOT/tmp/renderer.zip"
TLS_PORT="${SHOP3D_TLS_PORT:-__WEB_PORT__}"
# The instance's own certificate and key (the key readable by root only: nginx's master process
# reads it as root before it starts its workers).
TLS_DIR="$BOOT_ROOT/etc/pki/shop3d"
TLS_CERT="$TLS_DIR/web.crt"
TLS_KEY="$TLS_DIR/web.key"
PAGES_PORT="${SHOP3D_PAGES_PORT:-8000}"
PYTHON="${SHOP3D_PYTHON:-python3.11}"
# The primary region's cell uploads the bundle in the same deployment as this launch template:
# another region's instance may boot first, so wait for it (60 x 10 s: 10 minutes).
BUNDLE_ATTEMPTS="${SHOP3D_BUNDLE_ATTEMPTS:-60}"
BUNDLE_INTERVAL="${SHOP3D_BUNDLE_INTERVAL:-10}"

# The renderer's process: the unit's Environment=/ExecStart= lines and run_pages both read these.
# boto3 takes its region from AWS_DEFAULT_REGION (AWS_REGION alone: NoRegionError, seen in the
# boot test), and not from the instance metadata.
PAGES_ENVIRONMENT=(
  AWS_REGION=__REGION__
  AWS_DEFAULT_REGION=__REGION__
  SHOP3D_CATALOG_TABLE=__CATALOG_TABLE__
  SHOP3D_ASSETS_BUCKET=__ASSETS_BUCKET__
  "SHOP3D_STOREFRONT_DIR=$STOREFRONT_DIR"
)
PAGES_COMMAND=(
  "$RENDERER_DIR/.venv/bin/hypercorn" --bind "127.0.0.1:$PAGES_PORT" --workers 2
  "handlers.pages.app:from_env()"
)

# --- portable steps ---------------------------------------------------------------------------

# The renderer: one zip (the handlers handlers.pages imports, requirements.txt pinned with
# hashes) under a content-addressed key.
fetch_renderer() {
  local attempt
  mkdir -p "$(dirname "$BUNDLE_ZIP")"
  for attempt in $(seq 1 "$BUNDLE_ATTEMPTS"); do
    aws s3 cp --only-show-errors --region "$REGION" "$RENDERER_OBJECT" "$BUNDLE_ZIP" && return 0
    [ "$attempt" -eq "$BUNDLE_ATTEMPTS" ] || sleep "$BUNDLE_INTERVAL"
  done
  echo "renderer bundle $RENDERER_OBJECT not found after $BUNDLE_ATTEMPTS attempts" >&2
  return 1
}

install_renderer() {
  mkdir -p "$RENDERER_DIR"
  "$PYTHON" -m zipfile -e "$BUNDLE_ZIP" "$RENDERER_DIR"
  "$PYTHON" -m venv "$RENDERER_DIR/.venv"
  "$RENDERER_DIR/.venv/bin/pip" install --require-hashes -r "$RENDERER_DIR/requirements.txt"
}

sync_storefront() {
  mkdir -p "$STOREFRONT_DIR"
  aws s3 sync --only-show-errors --delete --region "$REGION" "$STOREFRONT_URI" "$STOREFRONT_DIR"
  chmod -R a+rX "$STOREFRONT_DIR"
}

# A self-signed P-256 certificate for ten years: the ALB does not validate its targets'
# certificates (so neither a name nor a chain matters), it only needs TLS to them. Made once: a
# reboot keeps the instance's key.
make_certificate() {
  mkdir -p "$TLS_DIR"
  chmod 0700 "$TLS_DIR"
  [ -s "$TLS_KEY" ] && [ -s "$TLS_CERT" ] && return 0
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=shop3d-web.__REGION__" -keyout "$TLS_KEY" -out "$TLS_CERT"
  )
  chmod 0644 "$TLS_CERT"
}

# The timer's sync command: the function above with this boot's values, as a script of its own.
sync_script() {
  echo '#!/bin/bash'
  echo 'set -euo pipefail'
  declare -p REGION STOREFRONT_URI STOREFRONT_DIR
  declare -f sync_storefront
  echo sync_storefront
}

# /static/ names are content-hashed: one immutable Cache-Control (`expires max` would add a
# second one, max-age=315360000, seen in the boot test). TLS 1.2 too: the ALB's connections to
# its targets use ELBSecurityPolicy-2016-08 (no TLS 1.3) unless a listener has a TLS 1.3 policy.
server_block() {
  cat <<CONF
server {
    listen $TLS_PORT ssl default_server;
    ssl_certificate $TLS_CERT;
    ssl_certificate_key $TLS_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $STOREFRONT_DIR;
    server_tokens off;
    location /static/ { add_header Cache-Control "__IMMUTABLE__"; }
    location / {
        proxy_pass http://127.0.0.1:$PAGES_PORT;
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-Proto https;
    }
}
CONF
}

# The distribution's own server in nginx.conf listens on port 80, which nothing admits (the
# security group takes only 443 from the ALB): move it to 8081 all the same, whether its listen
# lines say default_server (older Red Hat family files) or not (newer ones), so that the instance
# serves nothing on 80.
move_distribution_server() {
  sed -E -i 's/^([[:space:]]*listen[[:space:]]+(\[::\]:)?)80([[:space:]]+default_server)?;/\18081;/' "$1"
}

# Words for a unit's ExecStart=: systemd unquotes '...' itself; plain words stay bare.
systemd_words() {
  local word words=()
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_./:=+-]+$ ]]; then words+=("$word"); else words+=("'$word'"); fi
  done
  echo "${words[*]}"
}

pages_service_lines() {
  local setting
  echo "WorkingDirectory=$RENDERER_DIR"
  for setting in "${PAGES_ENVIRONMENT[@]}"; do echo "Environment=$setting"; done
  echo "ExecStart=$(systemd_words "${PAGES_COMMAND[@]}")"
}

# The renderer as the unit runs it (the unit's environment is only its Environment= lines).
run_pages() {
  cd "$RENDERER_DIR"
  exec env "${PAGES_ENVIRONMENT[@]}" "${PAGES_COMMAND[@]}"
}

# --- Amazon Linux 2023 only ---------------------------------------------------------------------

main() {
  dnf install -y nginx openssl python3.11 python3.11-pip
  useradd --system --no-create-home shop3d-pages || true

  sync_script >/usr/local/bin/shop3d-sync-storefront
  chmod 0755 /usr/local/bin/shop3d-sync-storefront
  fetch_renderer
  install_renderer

  cat >/etc/systemd/system/shop3d-pages.service <<UNIT
[Unit]
Description=shop3d page renderer (Hypercorn, handlers.pages)
After=network-online.target
[Service]
User=shop3d-pages
$(pages_service_lines)
Restart=always
[Install]
WantedBy=multi-user.target
UNIT

  make_certificate
  server_block >/etc/nginx/conf.d/shop3d.conf
  move_distribution_server /etc/nginx/nginx.conf

  cat >/etc/systemd/system/shop3d-sync.service <<'UNIT'
[Unit]
Description=Sync the shop3d storefront from S3
[Service]
Type=oneshot
ExecStart=/usr/local/bin/shop3d-sync-storefront
UNIT
  cat >/etc/systemd/system/shop3d-sync.timer <<'UNIT'
[Unit]
Description=Sync the shop3d storefront every five minutes
[Timer]
OnBootSec=1min
OnUnitActiveSec=5min
[Install]
WantedBy=timers.target
UNIT

  /usr/local/bin/shop3d-sync-storefront || echo "storefront not published yet: /healthz fails until it is"
  systemctl daemon-reload
  systemctl enable --now shop3d-pages nginx shop3d-sync.timer
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main
fi
