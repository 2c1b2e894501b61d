#!/usr/bin/env python3
# NAMED STAND-IN for torrust/tracker:v3.0.0's sockets (the image cannot run here). It opens its
# sockets the way v3.0.0 does (tokio -> mio 1.0.2: socket() + bind(), IPV6_V6ONLY never set, so
# the namespace's net.ipv6.bindv6only decides) on exactly the given bind addresses, and answers
# each UDP datagram the way v3.0.0's UDP handler picks the reply format (src/servers/udp/handlers.rs:179,
# remote_addr.is_ipv4(): true only when the kernel gave an AF_INET sender address).
# Usage: tracker-sockets.py udp:0.0.0.0:6969 udp:[::]:6969 tcp:0.0.0.0:1212 ...
# Prints "bound <spec> v6only=<0|1|->" per socket, then "ready"; a bind error exits 3 with the errno.
import selectors, socket, sys

def parse(spec):
    proto, rest = spec.split(":", 1)
    host, port = rest.rsplit(":", 1)
    host = host.strip("[]")
    return proto, host, int(port)

sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    proto, host, port = parse(spec)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(family, kind)
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # mio sets it on TCP listeners
    try:
        s.bind((host, port))
    except OSError as e:
        print(f"bind-error {spec} {e.errno} {e.strerror}", flush=True)
        sys.exit(3)
    v6only = s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) if family == socket.AF_INET6 else "-"
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    sel.register(s, selectors.EVENT_READ, spec)
    print(f"bound {spec} v6only={v6only}", flush=True)
print("ready", flush=True)

while True:
    for key, _ in sel.select():
        s, spec = key.fileobj, key.data
        if s.type == socket.SOCK_DGRAM:
            data, addr = s.recvfrom(2048)
            # A sockaddr_in6 of ::ffff:a.b.c.d is an IPv6 SocketAddr in Rust: is_ipv4() is false.
            fam = "ipv4" if s.family == socket.AF_INET else "ipv6"
            s.sendto(f"{spec} {fam} {addr[0]}".encode(), addr)
        else:
            conn, addr = s.accept()
            fam = "ipv4" if s.family == socket.AF_INET else "ipv6"
            conn.sendall(f"{spec} {fam} {addr[0]}\n".encode())
            conn.close()
