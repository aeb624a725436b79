#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate a Maildir folder of synthetic but realistic mail for benchmarks.

usage: gen-maildir.py DEST [-n COUNT] [--seed SEED] [--body-scale F]
                       [--max-attachment BYTES]

DEST becomes a Maildir folder (cur/ new/ tmp/). The same COUNT and SEED give
byte-identical files with the same names, so runs compare. The mix follows
what a real inbox looks like:

  - about 80% plain text messages of 2-10 KB (a block of Received: and list
    headers, a body of 1-8 KB), some quoted-printable UTF-8, some with an
    RFC 2047 encoded subject;
  - about 15% multipart/alternative with a text and an HTML part;
  - about 5% multipart/mixed with one to three base64 attachments (PDF,
    JPEG, ZIP-like bytes) making 50-500 KB, one in twenty of them 1-3 MB;
  - about a quarter are replies in threads (In-Reply-To, References,
    "Re:" subjects, quoted text); senders from a pool of people and mailing
    lists; dates spread over six years in many time zones;
  - about 30% unread: some in new/, the rest in cur/ without the S flag;
    some flagged or replied.

Only the Python standard library is used.
"""

import argparse
import base64
import bisect
import datetime
import email.utils
import os
import quopri
import random
import sys
import time

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew
Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua
Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie
Jürgen Søren Zoë José François Łukasz Anaïs Björn Chloé Renée Mikhaïl Aiko Wei Priya Arjun
Fatima Omar Ingrid Lars Katarzyna Pieter Giulia Matteo Élodie Nuno""".split()

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Müller Schmidt
Dubois Rossi Kowalski Nakamura Novák Jensen Andersson Öztürk Fernández Petrović""".split()

DOMAINS = """example.com example.org example.net mail.example.com lists.example.org
corp.example.com university.example.edu shop.example.net news.example.com
dev.example.org family.example.net""".split()

LISTS = [
    ("gtk-devel-list", "lists.example.org"),
    ("debian-user", "lists.example.org"),
    ("linux-kernel", "vger.example.org"),
    ("sqlite-users", "mailinglists.example.org"),
    ("book-club", "groups.example.net"),
    ("announce", "news.example.com"),
]

# Body vocabulary, most frequent first; weights follow Zipf's law.
WORDS = """the of and to a in is that for it as with was on be by this are at from or have an
not but they which you one were all we there can been has had their more will would about if
what when so no out up other into than then them these some could only time its new like our
also two may after first any well way even because over such most made through where many much
before must back years should very how being just people still between own work here those
both under while last might never each same another know year long great down world around
little old life part since against without place again right take general end however small
number during thank please meeting project release update review build patch test version
report question answer problem issue thanks regards attached document schedule tomorrow today
week monday friday deadline budget invoice order shipping delivery account password server
client network database query index search folder message mail address subject reply forward
draft calendar invite conference presentation slides agenda minutes notes summary proposal
contract offer price discount customer support ticket request change bug fix feature branch
merge commit repository kernel driver memory performance benchmark cache disk file storage
backup restore upgrade install package library module interface window button dialog menu
toolbar screen display keyboard mouse printer photo picture vacation holiday family birthday
dinner lunch coffee weekend travel flight hotel train ticket booking garden house kitchen
recipe book chapter story music concert film football weather rain snow summer winter spring
autumn morning evening night hospital doctor appointment school teacher student course exam
lecture university research paper journal conference abstract deadline submission review
editor author publisher licence copyright translation language german french spanish english
encryption signature certificate keyring secret token session protocol transport security
privacy policy terms service newsletter unsubscribe offer sale limited exclusive member points
reward voucher gift delivery tracking parcel courier refund return warranty receipt statement
balance transfer payment salary pension insurance claim tax declaration quarterly annual
strategy roadmap milestone quarter objective result metric dashboard analysis spreadsheet
chart graph figure table appendix draft final approved pending rejected urgent important
reminder followup sync standup retrospective planning estimate sprint backlog story epic
triage regression crash segfault stacktrace valgrind sanitizer compiler linker warning error""".split()

# Rare words, planted at known rates so searches of different selectivity
# can be timed: (word, one message in N).
RARE = [("marmalade", 200), ("quixotic", 2000), ("kaleidoscope", 20000)]

HTML_HEAD = ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:'
             'Arial,sans-serif;font-size:14px;color:#222}p{margin:0 0 1em}</style></head>'
             '<body><div class="content">')

ATTACHMENTS = [
    ("application/pdf", "pdf", b"%PDF-1.4\n"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    ("application/zip", "zip", b"PK\x03\x04"),
    ("application/vnd.oasis.opendocument.text", "odt", b"PK\x03\x04"),
]

START = int(time.mktime((2019, 1, 1, 8, 0, 0, 0, 0, -1)))
END = int(time.mktime((2025, 6, 30, 20, 0, 0, 0, 0, -1)))


class Generator:
    def __init__(self, count, seed, body_scale=1.0, max_attachment=2_200_000):
        self.rng = random.Random(seed)
        self.count = count
        self.body_scale = body_scale
        self.max_attachment = max_attachment
        rng = self.rng
        self.cum = []
        total = 0.0
        for rank in range(len(WORDS)):
            total += 1.0 / (rank + 1) ** 0.9
            self.cum.append(total)
        self.people = []
        for _ in range(900):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = f"{first}.{last}".lower().encode("ascii", "ignore").decode() or "someone"
            self.people.append((f"{first} {last}", f"{local}@{rng.choice(DOMAINS)}"))
        # A few people write most of the mail, as in a real inbox.
        self.people_cum = []
        total = 0.0
        for rank in range(len(self.people)):
            total += 1.0 / (rank + 1) ** 0.9
            self.people_cum.append(total)
        self.me = ("Sam Reader", "sam.reader@example.com")
        self.recent = []   # (message_id, references, subject, body_lines) of recent mail
        self.stats = {"plain": 0, "alternative": 0, "attachment": 0, "reply": 0,
                      "new": 0, "unseen-cur": 0, "bytes": 0}
        self.sizes = []

    # -- pieces ---------------------------------------------------------------
    def words(self, n):
        picked = self.rng.choices(WORDS, cum_weights=self.cum, k=n)
        return picked

    def sentence(self):
        w = self.words(self.rng.randint(5, 18))
        w[0] = w[0].capitalize()
        return " ".join(w) + self.rng.choice(".....?!")

    def paragraph_lines(self, approx_bytes):
        """Lines of running text wrapped at 72 columns, about approx_bytes long."""
        lines, line, size = [], "", 0
        while size < approx_bytes:
            for word in self.sentence().split():
                if len(line) + len(word) + 1 > 72:
                    lines.append(line)
                    size += len(line) + 1
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            if self.rng.random() < 0.25:
                lines.append(line)
                lines.append("")
                size += len(line) + 2
                line = ""
        if line:
            lines.append(line)
        return lines

    def person(self):
        i = bisect.bisect_left(self.people_cum, self.rng.random() * self.people_cum[-1])
        return self.people[min(i, len(self.people) - 1)]

    def subject(self):
        w = self.words(self.rng.randint(2, 8))
        s = " ".join(w).capitalize()
        r = self.rng.random()
        if r < 0.05:
            s = f"[{self.rng.choice(['URGENT', 'Action required', 'FYI', 'PATCH v2'])}] {s}"
        return s

    def encode_header(self, text):
        try:
            text.encode("ascii")
            return text
        except UnicodeEncodeError:
            return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="

    def format_address(self, name, addr):
        return f"{self.encode_header(name)} <{addr}>" if name else addr

    def received(self, when, hops):
        out = []
        for hop in range(hops):
            host = f"mx{self.rng.randint(1, 9)}.{self.rng.choice(DOMAINS)}"
            ip = ".".join(str(self.rng.randint(1, 254)) for _ in range(4))
            out.append(
                f"Received: from {host} ({host} [{ip}])\n"
                f"\tby mail.example.com (Postfix) with ESMTPS id {self.rng.getrandbits(40):X}\n"
                f"\tfor <{self.me[1]}>; {email.utils.formatdate(when - hop * 3, localtime=False)}")
        return out

    # -- one message ----------------------------------------------------------
    def message(self, index):
        rng = self.rng
        # Dates grow with the index, with jitter, like an inbox filled over years.
        base = START + (END - START) * index // max(self.count, 1)
        when = base + rng.randint(-43200, 43200)
        tz_hours = rng.choice([0, 0, 1, 1, 2, -5, -4, -8, 5.5, 9, 10, -3])
        zone = datetime.timezone(datetime.timedelta(hours=tz_hours))
        date = email.utils.format_datetime(datetime.datetime.fromtimestamp(when, zone))

        mailing_list = rng.random() < 0.3
        sender = self.person()
        msgid = f"<{when:x}.{index}.{rng.getrandbits(32):08x}@{sender[1].split('@')[1]}>"

        reply_to = None
        if self.recent and rng.random() < 0.25:
            reply_to = self.recent[min(int(rng.expovariate(0.05)), len(self.recent) - 1)]
        if reply_to:
            parent_id, parent_refs, parent_subject, parent_lines = reply_to
            subject = parent_subject if parent_subject.startswith("Re: ") else "Re: " + parent_subject
            refs = (parent_refs + [parent_id])[-12:]
            self.stats["reply"] += 1
        else:
            subject, refs, parent_lines = self.subject(), [], None

        headers = self.received(when, rng.randint(2, 5))
        headers += [
            f"Date: {date}",
            f"From: {self.format_address(*sender)}",
        ]
        if mailing_list:
            name, host = rng.choice(LISTS)
            headers += [f"To: {name}@{host}",
                        f"List-Id: <{name}.{host}>",
                        f"List-Unsubscribe: <mailto:{name}-request@{host}?subject=unsubscribe>",
                        "Precedence: list"]
            subject = subject if subject.startswith("Re: ") or rng.random() < 0.5 else f"[{name}] {subject}"
        else:
            to = [self.format_address(*self.me)]
            if rng.random() < 0.2:
                to.append(self.format_address(*self.person()))
            headers.append("To: " + ",\n\t".join(to))
            if rng.random() < 0.15:
                headers.append("Cc: " + self.format_address(*self.person()))
        headers.append(f"Subject: {self.encode_header(subject)}")
        headers.append(f"Message-ID: {msgid}")
        if refs:
            headers.append(f"In-Reply-To: {refs[-1]}")
            headers.append("References: " + "\n\t".join(refs))
        headers.append("MIME-Version: 1.0")
        if rng.random() < 0.4:
            headers.append(f"X-Mailer: {rng.choice(['Evolution 3.46.4', 'Thunderbird 115.3', 'Mutt/2.2.9', 'Apple Mail (2.3731)', 'Microsoft Outlook 16.0'])}")
        if rng.random() < 0.5:
            headers.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n"
                           "\ts=selector1; h=from:to:subject:date:message-id;\n"
                           f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\n"
                           f"\tb={base64.b64encode(rng.randbytes(180)).decode()}")

        # Body text: log-normal around 3 KB, clamped to 0.6-8 KB.
        body_size = min(max(int(rng.lognormvariate(7.9, 0.6)), 600), 8000)
        body_size = int(body_size * self.body_scale)
        lines = [f"Hello {self.me[0].split()[0]},", ""] + self.paragraph_lines(body_size)
        if parent_lines:
            lines += ["", f"On {date}, someone wrote:"] + ["> " + l for l in parent_lines[:30]]
        lines += ["", "-- ", sender[0], sender[1]]
        for word, one_in in RARE:
            if rng.randrange(one_in) == 0:
                lines.insert(rng.randint(2, len(lines)), f"The {word} is on the table.")
        text = "\n".join(lines) + "\n"
        if rng.random() < 0.12:
            text = text.replace("the ", "thé ", 3).replace("and ", "und – ", 2)

        kind = rng.random()
        if kind < 0.05:
            body = self.mixed(headers, text, when)
            self.stats["attachment"] += 1
        elif kind < 0.20:
            body = self.alternative(headers, text)
            self.stats["alternative"] += 1
        else:
            body = self.plain(headers, text)
            self.stats["plain"] += 1

        self.recent.insert(0, (msgid, refs, subject, lines[2:12]))
        del self.recent[200:]
        data = ("\n".join(headers) + "\n\n").encode() + body
        return data, when

    def text_part(self, text):
        """(headers, body bytes) of a text/plain part, QP when not ASCII."""
        try:
            return (["Content-Type: text/plain; charset=us-ascii; format=flowed",
                     "Content-Transfer-Encoding: 7bit"], text.encode("ascii"))
        except UnicodeEncodeError:
            return (["Content-Type: text/plain; charset=utf-8",
                     "Content-Transfer-Encoding: quoted-printable"],
                    quopri.encodestring(text.encode()))

    def plain(self, headers, text):
        part_headers, body = self.text_part(text)
        headers += part_headers
        return body

    def alternative(self, headers, text):
        boundary = f"=_alt_{self.rng.getrandbits(64):016x}"
        headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        part_headers, plain = self.text_part(text)
        paragraphs = [p.replace("\n", " ") for p in text.split("\n\n")]
        html = HTML_HEAD + "".join(
            f"<p>{p.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>"
            for p in paragraphs) + ('<p><a href="https://www.example.com/unsubscribe">Unsubscribe'
                                    '</a> <img src="https://tracker.example.net/p.gif" width="1" '
                                    'height="1"></p></div></body></html>')
        html_qp = quopri.encodestring(html.encode())
        out = [b"This is a multi-part message in MIME format.\n",
               f"--{boundary}\n".encode(), ("\n".join(part_headers) + "\n\n").encode(), plain,
               f"\n--{boundary}\n".encode(),
               b"Content-Type: text/html; charset=utf-8\n"
               b"Content-Transfer-Encoding: quoted-printable\n\n", html_qp,
               f"\n--{boundary}--\n".encode()]
        return b"".join(out)

    def mixed(self, headers, text, when):
        rng = self.rng
        boundary = f"=_mixed_{rng.getrandbits(64):016x}"
        headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        part_headers, plain = self.text_part(text)
        out = [b"This is a multi-part message in MIME format.\n",
               f"--{boundary}\n".encode(), ("\n".join(part_headers) + "\n\n").encode(), plain]
        n_parts = rng.choice([1, 1, 1, 1, 2, 3])
        if rng.random() < 0.05:
            # the odd big scan or photo
            total = rng.randint(min(1_000_000, self.max_attachment), self.max_attachment)
        else:
            total = int(36_000 * 10 ** rng.random())       # log-uniform, 50-500 KB encoded
        for _ in range(n_parts):
            ctype, ext, magic = rng.choice(ATTACHMENTS)
            size = total // n_parts
            payload = magic + rng.randbytes(max(size - len(magic), 0))
            name = "_".join(self.words(rng.randint(1, 3))) + f"-{when % 1000}.{ext}"
            encoded = base64.encodebytes(payload)
            out += [f"\n--{boundary}\n".encode(),
                    f'Content-Type: {ctype}; name="{name}"\n'
                    f'Content-Disposition: attachment; filename="{name}"\n'
                    "Content-Transfer-Encoding: base64\n\n".encode(), encoded]
        out.append(f"\n--{boundary}--\n".encode())
        return b"".join(out)

    # -- the folder -----------------------------------------------------------
    def write(self, dest):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(dest, sub), exist_ok=True)
        rng = self.rng
        for index in range(self.count):
            data, when = self.message(index)
            r = rng.random()
            if index >= self.count - max(self.count // 10, 1) and r < 0.5:
                # The newest mail not yet seen by any mail program.
                sub, info = "new", ""
                self.stats["new"] += 1
            else:
                flags = ""
                if rng.random() < 0.04:
                    flags += "F"
                if rng.random() < 0.12:
                    flags += "R"
                if rng.random() >= 0.27:
                    flags += "S"
                else:
                    self.stats["unseen-cur"] += 1
                sub, info = "cur", ":2," + "".join(sorted(flags))
            name = f"{when}.B{index:07d}Q{rng.getrandbits(16)}.bench{info}"
            path = os.path.join(dest, sub, name)
            with open(path, "wb") as f:
                f.write(data)
            os.utime(path, (when, when))
            self.stats["bytes"] += len(data)
            self.sizes.append(len(data))
            if index and index % 10000 == 0:
                print(f"  {index} messages", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="Maildir folder to create (cur/ new/ tmp/)")
    parser.add_argument("-n", "--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--body-scale", type=float, default=1.0,
                        help="multiply every text body's size (default 1: median message "
                             "about 4.7 KB; 2.4 gives about 8 KB)")
    parser.add_argument("--max-attachment", type=int, default=2_200_000,
                        help="bytes of the largest attachments before base64 (default "
                             "2,200,000; 1,450,000 keeps every message under 2 MB)")
    args = parser.parse_args()

    if os.path.isdir(os.path.join(args.dest, "cur")) and os.listdir(os.path.join(args.dest, "cur")):
        parser.error(f"{args.dest} already holds messages")

    started = time.monotonic()
    gen = Generator(args.count, args.seed, args.body_scale, args.max_attachment)
    gen.write(args.dest)
    sizes = sorted(gen.sizes)

    def pct(p):
        return sizes[min(int(len(sizes) * p / 100), len(sizes) - 1)] if sizes else 0

    s = gen.stats
    unread = s["new"] + s["unseen-cur"]
    print(f"generated {args.count} messages, {s['bytes'] / 1e6:.1f} MB in "
          f"{time.monotonic() - started:.1f} s (seed {args.seed})")
    print(f"  kinds: {s['plain']} plain, {s['alternative']} text+html, "
          f"{s['attachment']} with attachments; {s['reply']} replies; "
          f"{unread} unread ({100 * unread / max(args.count, 1):.0f}%), {s['new']} in new/")
    print(f"  sizes: median {pct(50) / 1024:.1f} KB, p90 {pct(90) / 1024:.1f} KB, "
          f"p99 {pct(99) / 1024:.0f} KB, max {pct(100) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
