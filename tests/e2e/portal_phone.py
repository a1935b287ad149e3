#!/usr/bin/python3
"""The phone's half of tests/e2e/portal_tui.sh: opens LINK (decoded from
the QR code on the kiosk's screen) in headless Chromium with a platform
passkey authenticator, types CODE (read off the same screen), registers,
and prints the page's title ("Active ..." or "Error ...") and the
authenticator's credential ID (base64url)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["KD_TOP"], "tests", "lib"))
import cdp  # noqa: E402

link, code = sys.argv[1], sys.argv[2]
with cdp.Browser() as b:
    auth = b.add_authenticator(transport="internal")
    b.navigate(link)
    b.type_into("#code", code)
    b.click("#go")
    try:
        title = b.wait_js("document.title.startsWith('Active') || "
                          "document.title.startsWith('Error') ? document.title : ''", 20)
    except TimeoutError:
        title = "timeout: " + b.text()[:200]
    creds = b.credentials(auth)
    print(title)
    print(creds[0]["id"] if creds else "-")
