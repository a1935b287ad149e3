#!/usr/bin/python3
"""Verified registrations through the portal, timed (tests/bench/portal.sh).

For N pending keys: a fresh link and code from `keydesk key qr`, opened in
headless Chromium with a virtual authenticator, code typed, registered.
Prints the browser's click-to-Active time; portal.sh reads the server's
own time per POST from its log.
    portal_post.py KEYDESK CFG DB N
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["KD_TOP"], "tests", "lib"))
import cdp  # noqa: E402

kd, cfg, db, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def k(*args):
    return subprocess.run([kd, "--config", cfg, "--db", db] + list(args),
                          capture_output=True, text=True, timeout=60).stdout


keys = [x["id"] for x in json.loads(k("key", "list", "--json"))
        if x["status"] == "pending"][:n]
took = []
with cdp.Browser() as b:
    for key in keys:
        # Each user brings their own authenticator.
        auth = b.add_authenticator(transport="usb")
        out = k("key", "qr", str(key))
        link = re.search(r"http://\S+/activate/\S+", out).group(0)
        code = re.search(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", out).group(0)
        b.navigate(link)
        b.type_into("#code", code)
        t0 = time.monotonic()
        b.click("#go")
        t = b.wait_js("document.title.startsWith('Active') || "
                      "document.title.startsWith('Error') ? document.title : ''", 20)
        took.append((time.monotonic() - t0) * 1000)
        if not t.startswith("Active"):
            print("activation failed: %s | %s" % (t, b.text()[-300:].replace("\n", " ")))
        b.remove_authenticator(auth)
took.sort()
if took:
    print("browser, click to Active (code POST, create(), registration POST): "
          "%d runs, min %.0f / median %.0f / max %.0f ms" %
          (len(took), took[0], took[len(took) // 2], took[-1]))
