#!/usr/bin/env bash
# Builds the boot guest image: Debian 13 (trixie) by debootstrap, the kernel and initrd beside it,
# and a local apt repository inside it holding every package the cloud-config installs (downloaded
# here, served offline to the guest through a file: source), plus stand-in packages for
# Ubuntu-only names. Run as root by boot/image.ts, which caches the result by a key of its inputs.
# Usage: image.sh OUT_DIR PACKAGE... [--standin NAME=DEBIAN_PACKAGE]...
set -euo pipefail
out=$1; shift
packages=(); standins=()
while [ $# -gt 0 ]; do
  case $1 in
    --standin) standins+=("$2"); shift 2 ;;
    *) packages+=("$1"); shift ;;
  esac
done
mirror=${BOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=trixie
work="$out.tmp"
root="$work/rootfs"
cleanup() {
  for m in proc sys dev/pts dev; do mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true; done
}
trap cleanup EXIT
rm -rf "$work"; mkdir -p "$work"
step() { printf 'boot image: %s (%ss)\n' "$*" "$SECONDS"; }

# The guest's base: what Hetzner's Ubuntu image has that cloud-init and the bootstrap use, plus
# netplan (Ubuntu renders cloud-init's network config through it) and the harness' own tools
# (busybox-static for stand-in container images).
base=linux-image-amd64,systemd-sysv,udev,dbus,cloud-init,netplan.io,systemd-resolved,openssh-server,sudo,ca-certificates,iproute2,procps,kmod,e2fsprogs,util-linux,busybox-static,gnupg,apt-utils,less
step "debootstrap $suite from $mirror"
debootstrap --variant=minbase --include="$base" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"; mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"

# The offline repository: the cloud-config's packages with every dependency the image lacks.
repo=/srv/boot-apt-repo
# Ubuntu-only names are not downloaded: their stand-in depends on the Debian package instead.
download=()
for p in "${packages[@]}"; do
  mapped=$p
  for s in "${standins[@]}"; do [ "${s%%=*}" = "$p" ] && mapped=${s#*=}; done
  download+=("$mapped")
done
step "downloading ${download[*]}"
in_root apt-get update -qq
mkdir -p "$root$repo"
in_root apt-get install -y -qq --download-only -o Dir::Cache::archives="$repo" "${download[@]}" >/dev/null
rm -f "$root$repo/lock"; rm -rf "$root$repo/partial"
for s in "${standins[@]}"; do
  name=${s%%=*}; target=${s#*=}
  d="$work/standin-$name"; mkdir -p "$d/DEBIAN"
  cat > "$d/DEBIAN/control" <<CTRL
Package: $name
Version: 0+boot.standin
Architecture: all
Maintainer: torrust-tracker-cdktf boot <boot@invalid>
Depends: $target
Description: STAND-IN for Ubuntu's $name, built by torrust-tracker-cdktf boot/image.sh
 Ubuntu-only package name; this local package only depends on Debian's $target.
CTRL
  dpkg-deb --build --root-owner-group "$d" "$root$repo/${name}_0+boot.standin_all.deb" >/dev/null
done
(cd "$root$repo" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null)
step "repository: $(ls "$root$repo" | grep -c '\.deb$') packages"
# The guest sees only the local repository: cloud-init's package_update and install run offline.
rm -f "$root/etc/apt/sources.list"; rm -rf "$root/etc/apt/sources.list.d"/*
echo "deb [trusted=yes] file:$repo ./" > "$root/etc/apt/sources.list.d/boot-local.list"
in_root apt-get clean
rm -rf "$root/var/lib/apt/lists"/*

# Boot basics: root filesystem, serial console, hostname, no root password, NoCloud found by ds-identify.
echo "/dev/vda / ext4 defaults 0 1" > "$root/etc/fstab"
echo "boot-guest" > "$root/etc/hostname"
in_root passwd -l root >/dev/null
in_root systemctl enable serial-getty@ttyS0.service >/dev/null 2>&1 || true
in_root systemctl enable systemd-networkd.service systemd-resolved.service >/dev/null 2>&1 || true
printf 'datasource_list: [ NoCloud, None ]\n' > "$root/etc/cloud/cloud.cfg.d/90-boot-nocloud.cfg"

# Harness (not the project's): right after dockerd starts (before anything can run `docker compose
# up`), a hook mounts the harness disk (label BOOTHARNESS, read-only) and runs its stand-in image
# import; the scripts live on that disk, so changing them needs no new image. Failures never stop Docker.
install -d "$root/usr/local/lib/boot-harness" "$root/etc/systemd/system/docker.service.d"
cat > "$root/usr/local/lib/boot-harness/docker-hook.sh" <<'HOOK'
#!/bin/sh
# boot harness hook (docker.service ExecStartPost): not part of the deployment.
m=/run/boot-harness
if ! mountpoint -q "$m"; then
  udevadm settle -t 30 || true
  mkdir -p "$m"
  mount -o ro LABEL=BOOTHARNESS "$m" || { echo "boot-harness: no harness disk"; exit 0; }
fi
exec sh "$m/standin-images.sh"
HOOK
chmod 0755 "$root/usr/local/lib/boot-harness/docker-hook.sh"
cat > "$root/etc/systemd/system/docker.service.d/90-boot-harness-standin-images.conf" <<UNIT
# boot harness (stand-in container images; not part of the deployment)
[Service]
ExecStartPost=-/usr/local/lib/boot-harness/docker-hook.sh
UNIT
rm -f "$root/usr/sbin/policy-rc.d"

step "kernel and initrd"
cp "$(readlink -f "$root/vmlinuz")" "$work/vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$work/initrd.img"
in_root dpkg-query -W -f '${Package} ${Version}\n' > "$work/packages.txt"
in_root cloud-init --version > "$work/cloud-init-version.txt" 2>&1 || true
cleanup
step "root filesystem image"
truncate -s 8G "$work/root.raw"
mkfs.ext4 -q -L boot-root -d "$root" "$work/root.raw"
qemu-img convert -O qcow2 "$work/root.raw" "$work/base.qcow2"
rm -f "$work/root.raw"
# The root tree stays for `cloud-init schema` in a chroot (test/boot/schema.test.ts).
rm -rf "$out"; mv "$work" "$out"
step "done: $out"
