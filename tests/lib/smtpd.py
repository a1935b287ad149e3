#!/usr/bin/python3
"""A real SMTP server for keydesk's tests (Debian's python3-aiosmtpd).

Run it with /usr/bin/python3 (the Debian package is not in other
interpreters' paths).  Normally started through tests/lib/smtpd.sh.

    /usr/bin/python3 tests/lib/smtpd.py --maildir DIR --log FILE
        [--port N] [--ready FILE] [--reject REGEX] [--tempfail REGEX]
        [--tempfail-times N] [--count-only]

  --port N            TCP port on 127.0.0.1; 0 (default) lets the kernel pick
                      a free one.  Only loopback is ever bound.
  --ready FILE        written (the port number) once the socket listens.
  --maildir DIR       every accepted message is stored, byte for byte as
                      received (after SMTP dot-unstuffing), in Maildir DIR.
  --log FILE          one line per event, flushed at once:
                        connect PEER
                        message id=<MSG-ID> from=ADDR to=ADDR bytes=N
                        refuse to=ADDR reply=CODE
                        disconnect PEER
  --reject REGEX      RCPT TO matching REGEX (re.search) gets 550: permanent.
  --tempfail REGEX    RCPT TO matching REGEX gets 451: temporary.
  --tempfail-times N  only the first N matching recipients get 451 (0 = all).
  --tls CERT KEY      offer STARTTLS with this certificate (PEM files), and
                      require it before MAIL.
  --delay MS          wait MS milliseconds before taking each message (a
                      slow server: kill tests land mid-transfer).
  --count-only        aiosmtpd, but log the message line without writing the
                      Maildir (benchmark: separates aiosmtpd from disk).
  --fast              FAST SINK, for the benchmark only: NOT aiosmtpd but a
                      minimal SMTP responder in this file (blocking sockets, a
                      thread per connection; EHLO/MAIL/RCPT/DATA/RSET/NOOP/
                      QUIT).  Logs the same lines, stores nothing.  On our
                      2-vCPU VMs aiosmtpd's asyncio loop answers a command in
                      ~0.25 ms, which caps a 4-round-trip SMTP transaction
                      near 400 msg/s whatever the client does.

Exit status 3 if the port cannot be bound (smtpd.sh then tries again).
"""
import argparse
import asyncio
import mailbox
import os
import re
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP

MSGID = re.compile(rb"^message-id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8")

    def line(self, text):
        self.f.write(text + "\n")


class Handler:
    def __init__(self, args, log):
        self.log = log
        self.box = None if args.count_only else mailbox.Maildir(args.maildir)
        self.reject = re.compile(args.reject) if args.reject else None
        self.tempfail = re.compile(args.tempfail) if args.tempfail else None
        self.tempfail_left = args.tempfail_times or -1
        self.delay = args.delay / 1000.0

    def refuse(self, address):
        if self.reject and self.reject.search(address):
            return "550 5.1.1 <%s>: recipient refused by the test sink" % address
        if self.tempfail and self.tempfail.search(address) and \
                self.tempfail_left != 0:
            self.tempfail_left -= 1
            return "451 4.3.0 <%s>: try again later (test sink)" % address
        return None

    async def handle_RCPT(self, server, session, envelope, address, options):
        reply = self.refuse(address)
        if reply is not None:
            self.log.line("refuse to=%s reply=%s" % (address, reply[:3]))
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        head = data.split(b"\r\n\r\n", 1)[0]
        m = MSGID.search(head)
        msgid = m.group(1).decode("ascii", "replace") if m else "-"
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        if self.box is not None:
            self.box.add(data)
        self.log.line("message id=%s from=%s to=%s bytes=%d" % (
            msgid, envelope.mail_from, ",".join(envelope.rcpt_tos), len(data)))
        return "250 2.0.0 OK queued"


class LoggedSMTP(SMTP):
    """aiosmtpd's SMTP with one log line per TCP connection, so tests can
    count how many connections a batch used."""
    log = None

    def connection_made(self, transport):
        first = self._original_transport is None
        super().connection_made(transport)
        if first:
            self.log.line("connect %s:%s" % transport.get_extra_info("peername")[:2])

    def connection_lost(self, error):
        peer = self.session.peer if self.session else None
        super().connection_lost(error)
        self.log.line("disconnect %s:%s" % tuple(peer[:2]) if peer else "disconnect")


async def serve(args, log):
    loop = asyncio.get_running_loop()
    handler = Handler(args, log)
    LoggedSMTP.log = log
    tls = None
    if args.tls:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls[0], args.tls[1])
    # hostname given: aiosmtpd would otherwise do a getfqdn() lookup for
    # every connection.
    server = await loop.create_server(
        lambda: LoggedSMTP(handler, hostname="keydesk-test-sink",
                           data_size_limit=10 * 1024 * 1024,
                           tls_context=tls, require_starttls=tls is not None),
        host="127.0.0.1", port=args.port, reuse_address=True)
    ready(args.ready, server.sockets[0].getsockname()[1])
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    await stop
    server.close()


def ready(path, port):
    if path:
        with open(path + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(path + ".tmp", path)


class FastSession:
    """--fast: one SMTP connection, answered line by line (no pipelining
    needed: libcurl waits for every reply)."""

    def __init__(self, conn, handler, log):
        self.conn, self.handler, self.log = conn, handler, log
        self.buf, self.in_data, self.mail_from, self.rcpts = b"", False, "", []

    def command(self, line):
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            return b"250-keydesk-test-sink\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
        if verb == b"MAIL":
            self.mail_from, self.rcpts = addr_of(line), []
            return b"250 OK\r\n"
        if verb == b"RCPT":
            to = addr_of(line)
            reply = self.handler.refuse(to)
            if reply is not None:
                self.log.line("refuse to=%s reply=%s" % (to, reply[:3]))
                return reply.encode() + b"\r\n"
            self.rcpts.append(to)
            return b"250 OK\r\n"
        if verb == b"DATA":
            if not self.rcpts:
                return b"503 Error: need RCPT command\r\n"
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"QUIT":
            return None
        return b"250 OK\r\n"          # RSET, NOOP

    def message(self, data):
        m = MSGID.search(data.split(b"\r\n\r\n", 1)[0])
        self.log.line("message id=%s from=%s to=%s bytes=%d" % (
            m.group(1).decode("ascii", "replace") if m else "-",
            self.mail_from, ",".join(self.rcpts), len(data)))
        return b"250 2.0.0 OK queued\r\n"

    def step(self):
        """Handles what is buffered; returns the replies, None for QUIT."""
        out = []
        while True:
            if self.in_data:
                i = self.buf.find(b"\r\n.\r\n")
                if i < 0:
                    return b"".join(out)
                data, self.buf = self.buf[2:i + 2], self.buf[i + 5:]
                self.in_data = False
                out.append(self.message(data))
                continue
            i = self.buf.find(b"\r\n")
            if i < 0:
                return b"".join(out)
            line, self.buf = self.buf[:i], self.buf[i + 2:]
            reply = self.command(line)
            if self.in_data:    # the data's first line ends the data too
                self.buf = b"\r\n" + self.buf
            if reply is None:
                self.conn.sendall(b"".join(out) + b"221 Bye\r\n")
                return None
            out.append(reply)

    def run(self):
        peer = self.conn.getpeername()
        self.log.line("connect %s:%s" % peer[:2])
        try:
            self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn.sendall(b"220 keydesk-test-sink ESMTP (fast mode)\r\n")
            while True:
                d = self.conn.recv(65536)
                if not d:
                    break
                self.buf += d
                out = self.step()
                if out is None:
                    break
                if out:
                    self.conn.sendall(out)
        except OSError:
            pass
        finally:
            self.conn.close()
            self.log.line("disconnect %s:%s" % peer[:2])


def addr_of(line):
    m = re.search(rb"<([^>]*)>", line)
    return (m.group(1) if m else line[10:].strip()).decode("utf-8", "replace")


def fast_serve(args, log):
    handler = Handler(args, log)
    lock = threading.Lock()
    log.line = locked(log.line, lock)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(64)
    ready(args.ready, srv.getsockname()[1])
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *a: sys.exit(0))
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=FastSession(conn, handler, log).run,
                         daemon=True).start()


def locked(fn, lock):
    def call(*a):
        with lock:
            fn(*a)
    return call


def main():
    p = argparse.ArgumentParser(description="SMTP sink for keydesk tests")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ready")
    p.add_argument("--maildir")
    p.add_argument("--log", required=True)
    p.add_argument("--reject")
    p.add_argument("--tempfail")
    p.add_argument("--tempfail-times", type=int, default=0)
    p.add_argument("--delay", type=int, default=0)
    p.add_argument("--count-only", action="store_true")
    p.add_argument("--fast", action="store_true")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = p.parse_args()
    if args.fast:
        args.count_only = True
    if not args.count_only and not args.maildir:
        p.error("--maildir DIR is required (or --count-only)")
    if args.maildir:
        mailbox.Maildir(args.maildir, create=True)
    log = Log(args.log)
    try:
        if args.fast:
            fast_serve(args, log)
        else:
            asyncio.run(serve(args, log))
    except OSError as e:
        print("smtpd.py: cannot listen on 127.0.0.1:%d: %s" % (args.port, e),
              file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
