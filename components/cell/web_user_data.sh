#!/bin/bash
# shop3d web tier boot script (Amazon Linux 2023). The cell fills in the two values below.
# nginx serves the storefront's static files, synced from S3, plus /healthz for the ALB.
set -euo pipefail
STOREFRONT_URI="__STOREFRONT_URI__"
REGION="__BUCKET_REGION__"

dnf install -y nginx
install -d -o nginx -g nginx /srv/storefront

cat > /usr/local/bin/shop3d-sync-storefront <<SCRIPT
#!/bin/bash
set -euo pipefail
aws s3 sync --only-show-errors --delete --region "$REGION" "$STOREFRONT_URI" /srv/storefront
chown -R nginx:nginx /srv/storefront
SCRIPT
chmod 0755 /usr/local/bin/shop3d-sync-storefront

cat > /etc/nginx/conf.d/shop3d.conf <<'CONF'
server {
    listen 80 default_server;
    root /srv/storefront;
    server_tokens off;
    location = /healthz { access_log off; default_type text/plain; return 200 "ok\n"; }
    location / { try_files $uri $uri/ /index.html; }
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

/usr/local/bin/shop3d-sync-storefront || echo "storefront not published yet; nginx serves /healthz only"
systemctl daemon-reload
systemctl enable --now nginx shop3d-sync.timer
