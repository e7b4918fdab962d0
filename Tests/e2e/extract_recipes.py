#!/usr/bin/env python3
"""Prints a recipe of a document exactly as the document prints it, so that the e2e tests run what
readers copy (docs are code): the reverse-proxy recipes of docs/protect-a-service.md
(recipes-e2e.sh), the relying parties of docs/browser-sign-in.md (browser-e2e.sh).

A recipe is the fenced block right after an HTML comment `<!-- recipe: NAME -->`. Every block in
one of the --tested languages (default: nginx and Caddyfile) must be a recipe: a configuration that
no test runs cannot sneak into the document.

    extract_recipes.py [--tested LANG,…] DOC NAME [--sub LABEL OLD NEW]... [--same-as FILE]
    extract_recipes.py [--tested LANG,…] DOC --list

--sub replaces every OLD by NEW; it is meant for the machine-specific parts only (socket path, ports,
upstream address) and fails when OLD does not occur, so a changed recipe cannot silently stop being
tested. --same-as FILE fails unless FILE, without its leading comment lines, is the recipe verbatim
(Examples/ holds the same configuration as the document).
"""
import argparse
import re
import sys

MARKER = re.compile(r"^<!--\s*recipe:\s*([A-Za-z0-9_-]+)\s*-->\s*$")
FENCE = re.compile(r"^```\s*([A-Za-z0-9_+-]*)\s*$")
# Fenced languages that are proxy configurations, hence must be recipes (the default of --tested).
PROXY_LANGUAGES = {"nginx", "caddyfile", "caddy"}


def recipes(path, tested=PROXY_LANGUAGES):
    """{name: (language, text)} of the document's recipes; exits on a malformed document."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, pending, i = {}, None, 0
    while i < len(lines):
        marker = MARKER.match(lines[i].strip())
        if marker:
            pending = (marker.group(1), i + 1)
            i += 1
            continue
        fence = FENCE.match(lines[i].strip())
        if fence and fence.group(1):
            language, start = fence.group(1).lower(), i + 1
            end = start
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if end == len(lines):
                sys.exit(f"{path}:{i + 1}: unclosed ``` block")
            indent = len(lines[i]) - len(lines[i].lstrip())
            body = "\n".join(line[indent:] if line[:indent].isspace() else line for line in lines[start:end]) + "\n"
            if pending is not None:
                name, line = pending
                if any(lines[k].strip() for k in range(line, i)):
                    sys.exit(f"{path}:{line}: the recipe marker for {name!r} must be followed directly by its ``` block")
                if name in found:
                    sys.exit(f"{path}:{line}: a second recipe named {name!r}")
                found[name] = (language, body)
                pending = None
            elif language in tested:
                sys.exit(f"{path}:{i + 1}: a ```{language} block without a <!-- recipe: NAME --> marker (every {language} block must be tested)")
            i = end + 1
            continue
        i += 1
    if pending is not None:
        sys.exit(f"{path}:{pending[1]}: recipe marker for {pending[0]!r} without a ``` block after it")
    return found


def without_leading_comments(text):
    lines = text.split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("doc")
    parser.add_argument("name", nargs="?")
    parser.add_argument("--list", action="store_true", help="print the recipe names and languages")
    parser.add_argument("--sub", nargs=3, action="append", default=[], metavar=("LABEL", "OLD", "NEW"))
    parser.add_argument("--same-as", metavar="FILE")
    parser.add_argument("--tested", default=",".join(sorted(PROXY_LANGUAGES)), help="languages whose blocks must be recipes")
    args = parser.parse_args()

    found = recipes(args.doc, {language.strip().lower() for language in args.tested.split(",")})
    if args.list:
        for name, (language, _) in found.items():
            print(name, language)
        return
    if args.name not in found:
        sys.exit(f"{args.doc}: no recipe named {args.name!r} (have: {', '.join(found) or 'none'})")
    text = found[args.name][1]

    if args.same_as:
        other = open(args.same_as, encoding="utf-8").read()
        if without_leading_comments(other).rstrip("\n") != text.rstrip("\n"):
            sys.exit(f"{args.same_as} differs from the {args.name!r} recipe of {args.doc} (below its leading comments, it must be the recipe verbatim)")

    for label, old, new in args.sub:
        if old not in text:
            sys.exit(f"substitution {label}: {old!r} does not occur in the {args.name!r} recipe")
        text = text.replace(old, new)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
