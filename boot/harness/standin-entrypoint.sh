# boot harness STAND-IN process for a container image that cannot be pulled here: it ignores the
# image's command and listens on the image's ports (busybox httpd; UDP echo-less listeners).
echo "STAND-IN for $STANDIN_IMAGE: listening on tcp [$STANDIN_TCP] udp [$STANDIN_UDP], arguments ignored: $*"
for p in $STANDIN_TCP; do httpd -p "$p" -h /www; done
for p in $STANDIN_UDP; do (while true; do nc -u -l -p "$p" >/dev/null 2>&1 || sleep 1; done) & done
trap 'exit 0' TERM INT
while true; do sleep 3600 & wait $!; done
