#!/bin/sh
# boot harness, run by docker.service (ExecStartPost): imports a STAND-IN image under each pinned
# name the compose project uses (there is no registry here). Each is a busybox root filesystem;
# its entrypoint listens on the image's ports. Lines of /run/boot-harness/standins.tsv:
#   IMAGE<TAB>TCP_PORTS<TAB>UDP_PORTS<TAB>MODE   (MODE busybox: no entrypoint, the command runs)
set -eu
manifest=/run/boot-harness/standins.tsv
[ -s "$manifest" ] || { echo "boot-harness: no $manifest, no stand-in images"; exit 0; }
tab=$(printf '\t')
while IFS="$tab" read -r image tcp udp mode; do
  [ -n "$image" ] || continue
  if docker image inspect "$image" >/dev/null 2>&1; then continue; fi
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/www/-" "$dir/tmp" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"; done
  echo "stand-in for $image (boot harness)" > "$dir/www/index.html"
  echo ok > "$dir/www/-/healthy"
  echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"; echo 'root:x:0:' > "$dir/etc/group"
  if [ "$mode" = busybox ]; then
    set -- --change 'CMD ["sh"]'
  else
    cp /usr/local/lib/boot-harness/standin-entrypoint.sh "$dir/standin"
    set -- --change 'ENTRYPOINT ["/bin/sh", "/standin"]' --change "ENV STANDIN_TCP=\"$tcp\" STANDIN_UDP=\"$udp\" STANDIN_IMAGE=$image"
  fi
  tar -C "$dir" -c . | docker import "$@" --message "boot harness STAND-IN for $image" - "$image" >/dev/null
  rm -rf "$dir"
  echo "boot-harness: imported STAND-IN image $image (tcp: ${tcp:-none}, udp: ${udp:-none})"
done < "$manifest"
