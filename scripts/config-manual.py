#!/usr/bin/env python3
"""Writes pamtoken.toml(5), the configuration manual page, from etc/pamtoken/pamtoken.toml.

The example file documents every key of the loader, in order, each after a comment of its own (a
test, RenderingTests.exampleKeys, keeps it equal to the loader's key table), so the page made from
it cannot drift from what pamtokend accepts.

    config-manual.py EXAMPLE VERSION > pamtoken.toml.5
"""
import re
import sys


def roff(text):
    """Escapes text for roff: backslashes, leading dots and apostrophes, and hyphens in options."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def main():
    path, version = sys.argv[1], sys.argv[2]
    lines = open(path, encoding="utf-8").read().split("\n")
    out = [
        '.TH PAMTOKEN.TOML 5 "" "pamtoken %s" "File Formats Manual"' % version,
        ".SH NAME",
        "pamtoken.toml \\- configuration of pamtokend",
        ".SH SYNOPSIS",
        "/etc/pamtoken/pamtoken.toml",
        ".SH DESCRIPTION",
    ]
    i = 0
    # The file's first comment block is the description.
    while i < len(lines) and lines[i].startswith("#"):
        text = lines[i][1:].strip()
        if i == 0:
            i += 1
            continue
        out.append(".PP" if not text else roff(text))
        i += 1
    comment = []
    key_line = re.compile(r"^# ([a-z_]+) = (.*)$")
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            out += [".SH " + roff(line[3:].upper())]
            comment = []
        elif key_line.match(line):
            key, default = key_line.match(line).groups()
            out += [".TP", "\\fB%s\\fR = %s" % (key, roff(default))]
            out += [roff(text) for text in comment]
            if key == "clients":
                out.append("Only in this file, as [[clients]] tables (no environment variable).")
            else:
                out.append("Environment: \\fBPAMTOKEN_%s\\fR." % key.upper())
            comment = []
        elif line.startswith("# [[clients]]") or line.startswith("#   "):
            # The clients example, as printed.
            block = []
            while i < len(lines) and (lines[i].startswith("# [[") or lines[i].startswith("#   ") or lines[i] == "#"):
                block.append(lines[i][2:] if lines[i].startswith("# ") else "")
                i += 1
            out += [".PP", "Example:", ".PP", ".nf", ".RS 4"] + [roff(text) for text in block] + [".RE", ".fi"]
            continue
        elif line.startswith("#"):
            comment.append(line[1:].strip())
        else:
            comment = []
        i += 1
    out += [
        ".SH FILES",
        ".TP",
        "/etc/pamtoken/pamtoken.toml",
        "This file. A missing file means the built\\-in defaults.",
        ".SH SEE ALSO",
        ".BR pamtokend (8),",
        ".BR pamtoken (1),",
        ".BR pam.conf (5)",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
