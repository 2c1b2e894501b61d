#!/bin/sh
# boot harness, run from the harness disk by the image's docker.service hook (ExecStartPost):
# imports a STAND-IN image under each pinned name the compose project uses (there is no registry
# here). Each is the same busybox root filesystem; its entrypoint listens on the image's ports.
# Lines of /run/boot-harness/standins.txt:  IMAGE|TCP_PORTS|UDP_PORTS|MODE
# (MODE busybox: no entrypoint, the compose command runs as with the real busybox image).
set -eu
here=$(dirname "$0")
manifest=$here/standins.txt
[ -s "$manifest" ] || { echo "boot-harness: no $manifest, no stand-in images"; exit 0; }
# At every later start (reboot) the images exist: skip building the root filesystem.
missing=0
while IFS='|' read -r image _; do
  [ -z "$image" ] || docker image inspect "$image" >/dev/null 2>&1 || missing=$((missing + 1))
done < "$manifest"
[ "$missing" -gt 0 ] || exit 0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/www/-" "$dir/tmp" "$dir/etc"
cp /bin/busybox "$dir/bin/busybox"
/bin/busybox --install -s "$dir/bin" 2>/dev/null || true
# --install links to the host path of busybox: point every applet at the copy in the image.
for l in "$dir"/bin/*; do [ -L "$l" ] && ln -sf busybox "$l"; done
echo ok > "$dir/www/-/healthy"
echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
cp "$here/standin-entrypoint.sh" "$dir/standin"
while IFS='|' read -r image tcp udp mode; do
  [ -n "$image" ] || continue
  if docker image inspect "$image" >/dev/null 2>&1; then continue; fi
  echo "stand-in for $image (boot harness)" > "$dir/www/index.html"
  if [ "$mode" = busybox ]; then
    set -- --change 'CMD ["sh"]'
  else
    set -- --change 'ENTRYPOINT ["/bin/sh", "/standin"]' --change "ENV STANDIN_TCP=\"$tcp\" STANDIN_UDP=\"$udp\" STANDIN_IMAGE=$image"
  fi
  tar -C "$dir" -c . | docker import "$@" --message "boot harness STAND-IN for $image" - "$image" >/dev/null
  echo "boot-harness: imported STAND-IN image $image (tcp: ${tcp:-none}, udp: ${udp:-none})"
done < "$manifest"
