#!/bin/sh
# Regenerate the golden files from golden.bib with Debian's pandoc 2.17:
#   expected-ama.txt   what `pandoc --citeproc` prints for each entry with the
#                      committed AMA CSL file (key<TAB>text, one line per key)
#   expected-csl.json  pandoc's CSL-JSON for the same entries
#                      (`pandoc -f biblatex -t csljson`)
#
# Needs: apt-get install -y pandoc   (Debian bookworm: pandoc 2.17.1.1)
# Run from anywhere: sh tests/golden/citations/regenerate.sh
#
# One pandoc run per key (a document with `nocite: '@KEY'`), so every line of
# the output belongs to exactly one key whatever order pandoc would sort a
# whole-file run in. With a single cited entry its list number is always "1. ",
# which is stripped: the site numbers entries itself in an <ol>.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
csl="$here/../../../src/painconnect_site/citations/styles/american-medical-association.csl"
bib="$here/golden.bib"
out="$here/expected-ama.txt"
csl_json="$here/expected-csl.json"

case "$(pandoc --version | head -n 1)" in
  "pandoc 2.17"*) ;;
  *) echo "regenerate.sh: need pandoc 2.17.x, found: $(pandoc --version | head -n 1)" >&2; exit 1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: > "$tmp/expected"
for key in $(sed -n 's/^@[A-Za-z]*{\([^,]*\),.*/\1/p' "$bib"); do
  printf -- "---\nnocite: '@%s'\n...\n" "$key" > "$tmp/doc.md"
  pandoc "$tmp/doc.md" --citeproc --csl="$csl" --bibliography="$bib" \
    -t plain --wrap=none -o "$tmp/entry.txt"
  if [ "$(wc -l < "$tmp/entry.txt")" -ne 1 ] || ! grep -q '^1\. ' "$tmp/entry.txt"; then
    echo "regenerate.sh: unexpected pandoc output for $key:" >&2
    cat "$tmp/entry.txt" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$key" "$(sed 's/^1\. //' "$tmp/entry.txt")" >> "$tmp/expected"
done
mv "$tmp/expected" "$out"
echo "wrote $(wc -l < "$out") entries to $out"

pandoc "$bib" -f biblatex -t csljson -o "$csl_json"
echo "wrote $csl_json"
