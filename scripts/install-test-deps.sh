#!/usr/bin/env bash
# Installs the Debian 12 programs the tests run for real (validators, proxies, ACME CA,
# BitTorrent software; stress-ng for npm run rehearse:repeat's CPU load) when they are missing.
# Services are not started by the install.
set -euo pipefail

declare -A want=(
  [caddy]=caddy [nginx]=nginx [certbot]=certbot [pebble]=pebble [cloud-init]=cloud-init
  [ip]=iproute2 [openssl]=openssl [curl]=curl [wrk]=wrk [opentracker]=opentracker [aria2c]=aria2
  [unshare]=util-linux [time]=time [shellcheck]=shellcheck [systemd-analyze]=systemd [sshd]=openssh-server
  # boot/: the Debian 13 guest image and the VM (npm run boot, test/boot/).
  [debootstrap]=debootstrap [qemu-system-x86_64]=qemu-system-x86 [qemu-img]=qemu-utils [mkfs.vfat]=dosfstools
  [mcopy]=mtools [ssh]=openssh-client [dpkg-scanpackages]=dpkg-dev [flock]=util-linux
  [stress-ng]=stress-ng
  # Backups and the mysql driver (test/tracker/backup.test.ts, database.test.ts).
  [sqlite3]=sqlite3 [restic]=restic [mariadbd]=mariadb-server
)
missing=()
for cmd in "${!want[@]}"; do
  [ -x "/usr/bin/$cmd" ] || [ -x "/usr/sbin/$cmd" ] || [ -x "/bin/$cmd" ] || [ -x "/sbin/$cmd" ] || missing+=("${want[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
# Keep packaged services (nginx, caddy, mariadb) from starting on the host's ports 80/443.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1; fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
