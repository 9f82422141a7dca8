#!/usr/bin/python3
"""An HTTP/1.1 upload sink for the benchmarks: takes PUT and POST bodies with a
Content-Length, keeps nothing, and prints one line per body to stdout:
"METHOD PATH LENGTH CRC32". OPTIONS and anything else get an empty 204.

A server that stores the body (nginx with WebDAV into tmpfs) makes the kernel find a fresh
gigabyte of pages on every run; on this machine that alone varied one client's time 0.5–3.5 s.
The sink reads into one reused buffer, so what is left to vary is the clients.
"""
import socket
import sys
import threading
import zlib

BUFFER = 1 << 20


def read_head(conn, pending):
    while b"\r\n\r\n" not in pending:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        pending += chunk
    head, rest = pending.split(b"\r\n\r\n", 1)
    return head.decode("latin-1").split("\r\n"), rest


def serve(conn):
    buffer = bytearray(BUFFER)
    view = memoryview(buffer)
    pending = b""
    with conn:
        while True:
            lines, pending = read_head(conn, pending)
            if lines is None:
                return
            method, path = lines[0].split()[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            crc = zlib.crc32(pending[:length])
            got = min(len(pending), length)
            pending = pending[length:]
            while got < length:
                n = conn.recv_into(view, min(BUFFER, length - got))
                if n == 0:
                    return
                crc = zlib.crc32(view[:n], crc)
                got += n
            if method in ("PUT", "POST"):
                print(f"{method} {path} {length} {crc:08x}", flush=True)
                conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            else:
                conn.sendall(b"HTTP/1.1 204 No Content\r\nAllow: PUT, POST\r\n\r\n")


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
