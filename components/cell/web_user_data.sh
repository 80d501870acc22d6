#!/bin/bash
# shop3d web tier boot script (Amazon Linux 2023). The cell fills in the placeholder values.
# Hypercorn runs the page renderer (handlers.pages) on 127.0.0.1:8000; nginx in front serves the
# storefront's bundles (/static/) from disk and proxies pages and /healthz to it. The ALB's
# health check is /healthz: it renders the product grid (catalog and manifests read).
# Not booted in this repository's tests (no AWS account): the renderer itself is tested locally.
set -euo pipefail
STOREFRONT_URI="__STOREFRONT_URI__"
RENDERER_OBJECT="__RENDERER_OBJECT__"
REGION="__BUCKET_REGION__"

dnf install -y nginx python3.11 python3.11-pip
install -d -o nginx -g nginx /srv/storefront
install -d /srv/renderer
useradd --system --no-create-home shop3d-pages || true

cat > /usr/local/bin/shop3d-sync-storefront <<SCRIPT
#!/bin/bash
set -euo pipefail
aws s3 sync --only-show-errors --delete --region "$REGION" "$STOREFRONT_URI" /srv/storefront
chown -R nginx:nginx /srv/storefront
chmod -R a+rX /srv/storefront
SCRIPT
chmod 0755 /usr/local/bin/shop3d-sync-storefront

# The renderer: one zip (the handlers handlers.pages imports, requirements.txt pinned with hashes)
# under a content-addressed key. The primary region's cell uploads it in the same deployment as
# this launch template: another region's instance may boot first, so wait for it (10 minutes).
for attempt in $(seq 1 60); do
  aws s3 cp --only-show-errors --region "$REGION" "$RENDERER_OBJECT" /tmp/renderer.zip && break
  [ "$attempt" -eq 60 ] && { echo "renderer bundle $RENDERER_OBJECT not found" >&2; exit 1; }
  sleep 10
done
python3.11 -m zipfile -e /tmp/renderer.zip /srv/renderer
python3.11 -m venv /srv/renderer/.venv
/srv/renderer/.venv/bin/pip install --require-hashes -r /srv/renderer/requirements.txt

cat > /etc/systemd/system/shop3d-pages.service <<'UNIT'
[Unit]
Description=shop3d page renderer (Hypercorn, handlers.pages)
After=network-online.target
[Service]
User=shop3d-pages
WorkingDirectory=/srv/renderer
Environment=AWS_REGION=__REGION__
Environment=SHOP3D_CATALOG_TABLE=__CATALOG_TABLE__
Environment=SHOP3D_ASSETS_BUCKET=__ASSETS_BUCKET__
Environment=SHOP3D_STOREFRONT_DIR=/srv/storefront
ExecStart=/srv/renderer/.venv/bin/hypercorn --bind 127.0.0.1:8000 --workers 2 'handlers.pages.app:from_env()'
Restart=always
[Install]
WantedBy=multi-user.target
UNIT

cat > /etc/nginx/conf.d/shop3d.conf <<'CONF'
server {
    listen 80 default_server;
    root /srv/storefront;
    server_tokens off;
    location /static/ { expires max; add_header Cache-Control "public, max-age=31536000, immutable"; }
    location / {
        proxy_pass http://127.0.0.1:8000;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto https;
    }
}
CONF
# The distribution's default server would shadow ours.
sed -i 's/listen       80 default_server;/listen 8081;/; s/listen       \[::\]:80 default_server;/listen [::]:8081;/' /etc/nginx/nginx.conf

cat > /etc/systemd/system/shop3d-sync.service <<'UNIT'
[Unit]
Description=Sync the shop3d storefront from S3
[Service]
Type=oneshot
ExecStart=/usr/local/bin/shop3d-sync-storefront
UNIT
cat > /etc/systemd/system/shop3d-sync.timer <<'UNIT'
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
