"""Source `man`: the section 3 man pages of documentation packages that are not in the man pages
set (libx11-doc, tcl8.6-doc, libcurl4-doc), NAME description -> DESCRIPTION.

Reads the page list of each package from /var/lib/dpkg/info/<package>.list
(/usr/share/man/man[1-8]/* entries; symlinks followed, each real file once) and renders every
page exactly as the man pages set's build.py does: the same groff flags (MAN_RENDER), `.so` alias
pages skipped, overstrike and escape sequences removed, typographic characters mapped (CHAR_MAP),
sections cut at the unindented lines.

Pair: query = the NAME line's description (after the dash; a repeated name list in front of it is
removed); document = the DESCRIPTION section, or, when there is none, every section between the
first and the last one except NAME and SYNOPSIS. Aliases: the page name, the real file's name and
every name of the NAME line. A page whose id (`3/XOpenDisplay`) is in the corpus is skipped and
counted in stats["pages_already_in_corpus_skipped"].
"""
import gzip
import os
import re
import subprocess

from .common import Item, log, need, norm_ws

MAN_PACKAGES = ["libx11-doc", "tcl8.6-doc", "libcurl4-doc"]
GROFF = ["groff", "-mandoc", "-Tutf8", "-t", "-k", "-P-cbou", "-rLL=4000n", "-rHY=0"]
BS_RE = re.compile(r".\x08")
ESC_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NAME_DASH_RE = re.compile(r"\s(?:\\-|-{1,2}|\u2010|\u2011|\u2012|\u2013|\u2014|\u2212)\s")
NAME_LIST_RE = re.compile(r"^([^\s,]+(?:,\s*[^\s,]+)*)\s+(?:\\-|-{1,2}|\u2013|\u2014)\s+")
NAME_SEP_RE = re.compile(r",\s*")
MAN_PAGE_RE = re.compile(r"^/usr/share/man/man[1-8]/[^/]+$")
CHAR_MAP = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u200b": "", "\u00ad": "", "\u2022": " ", "\u00b7": " ", "\u00b4": "'",
})
CHAR_MAP.update({c: " " for c in range(0x2500, 0x2580)})


def man_page_id(path):
    """(section, name) of a page file: /usr/share/man/man3/XFree.3.gz -> ("3", "XFree")"""
    base = os.path.basename(path)
    if base.endswith(".gz"):
        base = base[:-3]
    sect_dir = os.path.basename(os.path.dirname(path))[3:]
    name, dot, ext = base.rpartition(".")
    if not dot or not ext.startswith(sect_dir[:1]):
        return sect_dir, base
    return ext, name


def man_render(data):
    """the page's text as groff renders it, without overstrike and escape sequences"""
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", GROFF_SGR="", MANWIDTH="4000")
    p = subprocess.run(GROFF, input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env=env, timeout=120)
    return ESC_RE.sub("", BS_RE.sub("", p.stdout.decode("utf-8", "replace")))


def man_sections(text):
    """[(heading, [stripped body lines, "" for blank ones])] of a rendered page"""
    sections, head, cur = [], None, []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line:
            cur.append("")
        elif not line[0].isspace():
            sections.append((head, cur))
            head, cur = line.strip(), []
        else:
            cur.append(line.strip())
    sections.append((head, cur))
    return [(h, b) for h, b in sections if h is not None]


def read_page_source(path):
    """the page's troff source (gunzipped)"""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def is_so_alias(data):
    """a page that only sources another one (`.so man3/other.3`), comments aside"""
    lines = [l.strip() for l in data.decode("utf-8", "replace").splitlines()]
    lines = [l for l in lines if l and not l.startswith(('.\\"', "'\\\"", ".\\'")) and l != "."]
    return bool(lines and lines[0].startswith(".so ") and len(lines) <= 2)


def name_and_description(secs):
    """(NAME body or None, DESCRIPTION body or the fallback) of the page's sections"""
    keys = [norm_ws(h).upper().rstrip(":").strip() for h, _ in secs]
    name_body = desc_body = None
    for (h, body), k in zip(secs, keys):
        if k == "NAME" and name_body is None:
            name_body = body
        elif k == "DESCRIPTION" and desc_body is None:
            desc_body = body
    if desc_body is None:
        desc_body = []
        inner = list(zip(secs, keys))[1:-1] if len(secs) > 2 else []
        for (h, body), k in inner:
            if k not in ("NAME", "SYNOPSIS"):
                desc_body.extend(body)
    return name_body, desc_body


def parse_name_section(name_body):
    """(description, names) of the NAME section's first paragraph, (None, None) without a dash"""
    para = []
    for l in name_body:
        if not l:
            if para:
                break
            continue
        para.append(l)
    s = " " + norm_ws(" ".join(para)) + " "
    m = NAME_DASH_RE.search(s)
    if not m:
        return None, None
    names = norm_ws(s[:m.start()])
    query = norm_ws(s[m.end():])
    m2 = NAME_LIST_RE.match(query)
    if m2 and set(NAME_SEP_RE.split(m2.group(1))) & set(NAME_SEP_RE.split(names)):
        query = query[m2.end():].strip()
    return query, names


def man_page(path):
    """(query, names, doc) of one page, or None for a .so alias"""
    data = read_page_source(path)
    if is_so_alias(data):
        return None
    secs = man_sections(man_render(data).translate(CHAR_MAP))
    name_body, desc_body = name_and_description(secs)
    query, names = parse_name_section(name_body) if name_body else (None, None)
    return query, names, norm_ws(" ".join(desc_body))


def list_pages(packages):
    """sorted [(page path, package)] of the packages' man pages"""
    pages = []
    for pkg in packages:
        lst = "/var/lib/dpkg/info/%s.list" % pkg
        need(lst, pkg)
        with open(lst, encoding="utf-8", errors="replace") as f:
            for line in f:
                p = line.rstrip("\n")
                if MAN_PAGE_RE.match(p):
                    pages.append((p, pkg))
    pages.sort()
    return pages


def man_items(corpus_ids, stats):
    """Items of every page not in the corpus, in path order"""
    pages = list_pages(MAN_PACKAGES)
    seen = set()
    stats["pages_already_in_corpus_skipped"] = 0
    for i, (p, pkg) in enumerate(pages):
        if i % 200 == 0:
            log("man: %d/%d pages" % (i, len(pages)))
        rp = os.path.realpath(p)
        if rp in seen or not os.path.isfile(rp):
            continue
        seen.add(rp)
        sect, name = man_page_id(p)
        if "%s/%s" % (sect, name) in corpus_ids:
            stats["pages_already_in_corpus_skipped"] += 1
            continue
        r = man_page(rp)
        if r is None or not r[0]:
            continue
        query, names, doc = r
        aliases = {name} | {n.strip() for n in NAME_SEP_RE.split(names or "") if n.strip()}
        aliases.add(man_page_id(rp)[1])
        yield Item("man", query, doc, name, aliases=aliases, group=pkg)
