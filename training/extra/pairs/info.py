"""Source `info`: GNU info manuals (coreutils, grep, sed, find, diffutils, gzip, bc, ed, time, wget,
gettext, gnupg, rluserman from readline-common, and bash, bzip2, libtasn1 from their -doc packages),
section heading -> section text.

Reads /usr/share/info/<manual>.info.gz and its split parts <manual>.info-N.gz, cut into nodes at
the \\x1f separators; each node's header line gives its name and its Up node. Every underlined
heading of a node (a line followed by a line of `*`, `=`, `-` or `.` of about the same length)
starts a section running to the next heading; a node without one is a single section headed by
the node name. Menus and footnotes end a section's text, `*Note X::` becomes `X`; index, licence,
copying, history and news nodes and the Top node's own heading are dropped.

Pair: query = the heading without its number (`10.1 ‘ls’: List directory contents` gives
`List directory contents`). Aliases: the node, the program of a `‘ls’: ...` heading or of an
`ls invocation` / `Invoking grep` node, every ancestor node's aliases (so `Which files are listed`,
under `ls invocation`, goes with `1/ls`) and the program(s) of the whole manual (INFO_MANUALS;
the whole `grep` manual goes when `1/grep` is excluded). The program of the section (or the
manual) is the context that qualifies a heading used for several documents.
"""
import collections
import gzip
import os
import re

from .common import Item, log, need, norm_ws

INFO_DIR = "/usr/share/info"
# manual file -> (Debian package, names of the program(s) the whole manual is about)
INFO_MANUALS = collections.OrderedDict([
    ("bash", ("bash-doc", ["bash"])),
    ("bc", ("bc", ["bc"])),
    ("bzip2", ("bzip2-doc", ["bzip2", "bunzip2", "bzcat"])),
    ("coreutils", ("coreutils", ["coreutils"])),
    ("diffutils", ("diffutils", ["diffutils"])),
    ("ed", ("ed", ["ed", "red"])),
    ("find", ("findutils", ["findutils", "find"])),
    ("gettext", ("gettext", ["gettext"])),
    ("gnupg", ("gnupg", ["gnupg", "gpg"])),
    ("grep", ("grep", ["grep", "egrep", "fgrep"])),
    ("gzip", ("gzip", ["gzip", "gunzip", "zcat"])),
    ("libtasn1", ("libtasn1-doc", ["libtasn1"])),
    ("rluserman", ("readline-common", ["readline"])),
    ("sed", ("sed", ["sed"])),
    ("time", ("time", ["time"])),
    ("wget", ("wget", ["wget"])),
])
INFO_SKIP_NODES = re.compile(r"(index|gnu free documentation license|copying|copying this manual|"
                             r"gnu general public license|gnu l?gpl|licen[cs]es?|history|news)$", re.I)
UNDERLINE_RE = re.compile(r"^([*=\-.])\1{2,}$")
NUMBER_RE = re.compile(r"^((\d+|[A-Z])(\.\d+)*\.?|Appendix [A-Z](\.\d+)*)\s+")
CMD_HEAD_RE = re.compile(r"^\u2018([^\u2019]+)\u2019(?:,\s*\u2018[^\u2019]+\u2019)*:\s*(.+)$")
QUOTED_RE = re.compile(r"\u2018([^\u2019\s]+)\u2019")
NODE_HEADER_RE = re.compile(r"(Node|Up|Next|Prev):\s*([^,]+?)\s*(?:,|$)")
NOTE_NODE_RE = re.compile(r"\*[Nn]ote\s+([^:]+?)::")                   # *Note Node::
NOTE_LABEL_RE = re.compile(r"\*[Nn]ote\s+([^:]+?):\s*[^.,]*[.,]")      # *note label: node.
INVOCATION_NODE_RES = [re.compile(r"^(.+?) invocation$", re.I), re.compile(r"^invoking (.+)$", re.I)]
INVOCATION_HEAD_RES = [re.compile(r"^\u2018([^\u2019]+)\u2019 invocation$", re.I),
                       re.compile(r"^invoking \u2018?([^\u2019]+)\u2019?$", re.I)]


def read_info(manual, package, info_dir=INFO_DIR):
    """node -> (its Up node, its body) of a manual, in file order"""
    main = os.path.join(info_dir, manual + ".info.gz")
    need(main, package)
    parts = [main]
    n = 1
    while os.path.exists(os.path.join(info_dir, "%s.info-%d.gz" % (manual, n))):
        parts.append(os.path.join(info_dir, "%s.info-%d.gz" % (manual, n)))
        n += 1
    text = "".join(read_gzip_text(p) for p in parts)
    return parse_nodes(text)


def read_gzip_text(path):
    with gzip.open(path) as f:
        return f.read().decode("utf-8", "replace")


def parse_nodes(text):
    """node -> (its Up node, its body) of an info file's text"""
    nodes = collections.OrderedDict()
    for chunk in text.split("\x1f"):
        chunk = chunk.lstrip("\n")
        if not chunk.startswith("File:"):
            continue
        header, _, body = chunk.partition("\n")
        fields = dict(NODE_HEADER_RE.findall(header))
        if "Node" in fields:
            nodes[fields["Node"]] = (fields.get("Up", ""), body)
    return nodes


def clean_info(lines):
    """a section's text: up to its menu or footnotes, cross references reduced to their names"""
    out = []
    for line in lines:
        if line.startswith("* Menu:") or line.startswith("   ---------- Footnotes ----------"):
            break
        out.append(line)
    text = norm_ws(" ".join(out))
    text = NOTE_NODE_RE.sub(r"\1", text)
    text = NOTE_LABEL_RE.sub(r"\1", text)
    return text


def first_match(regexes, s):
    for r in regexes:
        m = r.match(s)
        if m:
            return m
    return None


def node_aliases(node, heading):
    """the node and the program(s) its name or heading is about"""
    al = {node}
    m = first_match(INVOCATION_NODE_RES, node)
    if m:
        al.add(m.group(1))
    h = NUMBER_RE.sub("", heading)
    m = CMD_HEAD_RE.match(h)
    if m:
        al |= set(QUOTED_RE.findall(h.split(":", 1)[0]))
    m = first_match(INVOCATION_HEAD_RES, h)
    if m:
        al.add(m.group(1))
    return al


def heading_lines(lines):
    """indexes of the lines underlined by the next line"""
    return [i for i in range(len(lines) - 1)
            if lines[i].strip() and UNDERLINE_RE.match(lines[i + 1].strip())
            and abs(len(lines[i + 1].strip()) - len(lines[i].strip())) <= 2]


def node_sections(node, body):
    """(the node's own aliases, [(node, heading, text)] of its sections)"""
    lines = body.split("\n")
    heads = heading_lines(lines)
    al = {node}
    sections = []
    if not heads:
        sections.append((node, node, clean_info(lines)))
    for j, h in enumerate(heads):
        end = heads[j + 1] if j + 1 < len(heads) else len(lines)
        heading = lines[h].strip()
        if j == 0:
            al |= node_aliases(node, heading)
        sections.append((node, heading, clean_info(lines[h + 2:end])))
    return al, sections


def ancestry(node, nodes, own, manual_names):
    """the aliases of the node and of every node above it, and the manual's names"""
    names, seen = set(), set()
    while node and node not in seen and node in nodes:
        seen.add(node)
        names |= own.get(node, {node})
        node = nodes[node][0]
    return names | manual_names


def skipped(node, heading):
    """index/licence/history nodes and the Top node's own heading"""
    return bool(INFO_SKIP_NODES.search(node)) or node.lower() == "top" and heading.lower().startswith("top")


def section_item(manual, node, heading, text, aliases):
    h = NUMBER_RE.sub("", heading)
    query = h
    m = CMD_HEAD_RE.match(h)
    if m:
        query = m.group(2)
    query = query.replace("\u2018", "").replace("\u2019", "")
    cmd = sorted(node_aliases(node, heading) - {node})
    return Item("info", query, text, node, aliases=aliases | {heading, h},
                group=manual, context=(cmd[0] if cmd else manual))


def manual_items(manual, programs, nodes):
    """the Items of one manual's sections"""
    own = {}                                  # node -> its own aliases
    sections = []                             # (node, heading, text)
    for node, (up, body) in nodes.items():
        own[node], node_secs = node_sections(node, body)
        sections += node_secs
    manual_names = set(programs) | {manual}
    # every node descends from Top: its name is structure, not a topic (a held-out `1/top` page must not drop all)
    own["Top"] = (own.get("Top", set()) - {"Top"}) | manual_names
    for node, heading, text in sections:
        if not skipped(node, heading):
            yield section_item(manual, node, heading, text, ancestry(node, nodes, own, manual_names))


def info_items(stats, info_dir=INFO_DIR):
    """Items of every manual of INFO_MANUALS, manual by manual"""
    for manual, (package, programs) in INFO_MANUALS.items():
        log("info: %s" % manual)
        yield from manual_items(manual, programs, read_info(manual, package, info_dir))
