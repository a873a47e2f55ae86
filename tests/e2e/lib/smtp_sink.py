#!/usr/bin/python3
# smtp_sink.py — a local SMTP server for the end-to-end tests (Debian's
# python3-aiosmtpd): every message received is written to FOLDER as
# NNNN.eml (the bytes as sent) with NNNN.json (the envelope). Recipients
# starting with "reject" are refused with 550, so a permanent failure can
# be tested. Listens on 127.0.0.1 and PORT (or a free port), printed on
# stdout as "listening PORT" once ready.
#   /usr/bin/python3 smtp_sink.py FOLDER [PORT]
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "%04d" % self.count)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "helo": session.host_name}, f)
        # Written under another name first: a reader never sees half a message.
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


async def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    sink = Sink(folder)
    loop = asyncio.get_running_loop()
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", port)
    print("listening %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
