#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a small Maildir store for the GUI tests.

usage: make-test-store.py DATA-DIR

Creates DATA-DIR/mail/ with Inbox (a thread, an attachment, unread, flagged and
replied messages, one in an unknown charset), Trash, and a user folder
"Projects" with a subfolder "Cachet".  Cachet indexes the files when it opens
the store (there is no index yet), as it would after another program wrote
them.
"""

import base64
import os
import sys
import time

MESSAGES = {
    "Inbox": [
        # (flags, headers, body)
        ("S", {
            "From": "Alice Example <alice@example.org>",
            "To": "Bob Example <bob@example.org>",
            "Cc": "Carol Example <carol@example.org>",
            "Subject": "Lunch on Friday",
            "Date": "Mon, 03 Jun 2024 09:15:00 +0200",
            "Message-ID": "<lunch-1@example.org>",
        }, "Hello Bob,\n\nshall we meet for lunch on Friday at noon? The new place by the\n"
           "river serves a good pumpkin soup.\n\nAlice\n"),
        ("RS", {
            "From": "Bob Example <bob@example.org>",
            "To": "Alice Example <alice@example.org>",
            "Subject": "Re: Lunch on Friday",
            "Date": "Mon, 03 Jun 2024 11:02:00 +0200",
            "Message-ID": "<lunch-2@example.org>",
            "In-Reply-To": "<lunch-1@example.org>",
            "References": "<lunch-1@example.org>",
        }, "Friday at noon is fine. See you there.\n\nBob\n"),
        ("", {
            "From": "Alice Example <alice@example.org>",
            "To": "Bob Example <bob@example.org>",
            "Subject": "Re: Lunch on Friday",
            "Date": "Tue, 04 Jun 2024 08:30:00 +0200",
            "Message-ID": "<lunch-3@example.org>",
            "In-Reply-To": "<lunch-2@example.org>",
            "References": "<lunch-1@example.org> <lunch-2@example.org>",
        }, "Great, I booked a table by the window.\n"),
        ("FS", {
            "From": "Dana Builder <dana@example.net>",
            "To": "Bob Example <bob@example.org>",
            "Subject": "Quarterly report",
            "Date": "Wed, 05 Jun 2024 14:00:00 +0000",
            "Message-ID": "<report@example.net>",
            "attachment": ("report.pdf", "application/pdf",
                           b"%PDF-1.4\n% a tiny test file, not a real report\n" * 40),
        }, "Hi Bob,\n\nthe quarterly report is attached. The numbers look good.\n\nDana\n"),
        ("", {
            "From": "Newsletter <news@example.com>",
            "To": "bob@example.org",
            "Subject": "Weekly gardening tips",
            "Date": "Thu, 06 Jun 2024 07:00:00 +0000",
            "Message-ID": "<garden@example.com>",
        }, "This week: how to keep snails away from your lettuce without poison.\n"),
        ("S", {
            "From": "Eve Sender <eve@example.com>",
            "To": "bob@example.org",
            "Subject": "Odd charset",
            "Date": "Fri, 07 Jun 2024 10:00:00 +0000",
            "Message-ID": "<charset@example.com>",
            "charset": "x-no-such-charset",
        }, "This text claims a charset nobody knows.\n"),
    ],
    "Trash": [
        ("S", {
            "From": "Spammer <win@example.biz>",
            "To": "bob@example.org",
            "Subject": "You won a prize",
            "Date": "Sat, 01 Jun 2024 03:00:00 +0000",
            "Message-ID": "<prize@example.biz>",
        }, "Click here.\n"),
    ],
    "Projects": [
        ("S", {
            "From": "Frank Planner <frank@example.org>",
            "To": "bob@example.org",
            "Subject": "Project kickoff",
            "Date": "Mon, 27 May 2024 09:00:00 +0000",
            "Message-ID": "<kickoff@example.org>",
        }, "The project starts next week.\n"),
    ],
    "Projects/Cachet": [
        ("", {
            "From": "Grace Coder <grace@example.org>",
            "To": "bob@example.org",
            "Subject": "Sealed envelopes",
            "Date": "Tue, 28 May 2024 16:45:00 +0000",
            "Message-ID": "<sealed@example.org>",
        }, "A mail client that seals every letter by default.\n"),
    ],
}


def render(headers, body):
    headers = dict(headers)
    attachment = headers.pop("attachment", None)
    charset = headers.pop("charset", "utf-8")
    lines = ["%s: %s" % (k, v) for k, v in headers.items()]
    lines.append("MIME-Version: 1.0")
    if attachment is None:
        lines.append("Content-Type: text/plain; charset=%s" % charset)
        lines.append("Content-Transfer-Encoding: 8bit")
        text = "\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")
        return text.encode("utf-8")
    name, mime, data = attachment
    boundary = "=-=cachet-test-boundary=-="
    lines.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
    encoded = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    parts = [
        "--" + boundary,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body.replace("\n", "\r\n"),
        "--" + boundary,
        'Content-Type: %s; name="%s"' % (mime, name),
        'Content-Disposition: attachment; filename="%s"' % name,
        "Content-Transfer-Encoding: base64",
        "",
        encoded,
        "--" + boundary + "--",
        "",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(parts)).encode("utf-8")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mail = os.path.join(sys.argv[1], "mail")
    counter = 0
    for folder, messages in MESSAGES.items():
        folder_dir = os.path.join(mail, *folder.split("/"))
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(folder_dir, sub), exist_ok=True)
        for flags, headers, body in messages:
            counter += 1
            data = render(headers, body)
            name = "%d.%d_%d.cachet-test,S=%d:2,%s" % (int(time.time()), os.getpid(),
                                                        counter, len(data), flags)
            with open(os.path.join(folder_dir, "cur", name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
