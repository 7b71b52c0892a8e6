"""Source `python3-doc`: the Python 3.11 HTML documentation (Debian package python3.11-doc, what
python3-doc depends on), section heading -> the section's own text.

Reads /usr/share/doc/python3.11/html/{library,reference,howto,faq,tutorial}/*.html (sorted) with
html.parser. In each Sphinx page's <div class="body"> every heading (h1-h6) starts a section whose
text runs up to the next heading; code blocks, tables, signature lines (<dt>), permalink signs and
admonition titles are left out; "Source code: ..." and "New in version X.Y." are removed.

Pair: query = the heading; `os — Miscellaneous operating system interfaces` gives the query
`Miscellaneous operating system interfaces` and the name `os`, section numbering (`5.1.4.`) is
stripped, FAQ question headings stay as they are. Aliases: the page's file name, the module of the
page's first heading (and its last dotted part), the heading and the query, so every section of
time.html goes when a `time` page is excluded. The page (module or file name) is the context that
qualifies a heading used for several documents.
"""
import html.parser
import os
import re

from .common import Item, log, need, norm_ws

PY_HTML = "/usr/share/doc/python3.11/html"
PY_DIRS = ["library", "reference", "howto", "faq", "tutorial"]
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
PY_SKIP = {"pre", "script", "style", "table", "dt", "nav"}
MODULE_HEADING_RE = re.compile(r"^(\S+)\s+\u2014\s+(.+)$")    # "shutil — High-level file operations"
NUMBERING_RE = re.compile(r"^(\d+(\.\d+)*\.?)\s+")             # tutorial / reference numbering
SOURCE_CODE_RE = re.compile(r"^Source code: \S+\s*")
NEW_IN_VERSION_RE = re.compile(r"New in version \d+\.\d+\.\s*")


class SphinxSections(html.parser.HTMLParser):
    """(heading, own text) of each heading of a Sphinx page's main body (code blocks, tables,
    signature lines, permalink signs and admonition titles left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_body = 0          # div depth inside <div class="body">
        self.skip_tag, self.skip_depth = None, 0
        self.heading = None       # text parts of the heading being read
        self.sections = []        # [heading, [text parts]]
        self.cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if not self.in_body:
            if tag == "div" and "body" in cls:
                self.in_body = 1
            return
        if tag == "div":
            self.in_body += 1
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in PY_SKIP or "headerlink" in cls or "admonition-title" in cls:
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag in HEADINGS:
            self.heading = []
        elif tag in ("p", "li", "dd", "br", "div", "blockquote"):
            self._add(" ")

    def handle_endtag(self, tag):
        if not self.in_body:
            return
        if tag == "div":
            self.in_body -= 1
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.skip_tag = None
            return
        if tag in HEADINGS and self.heading is not None:
            self.cur = [norm_ws("".join(self.heading)), []]
            self.sections.append(self.cur)
            self.heading = None
        elif tag in ("p", "li", "dd"):
            self._add(" ")

    def _add(self, s):
        if self.heading is not None:
            self.heading.append(s)
        elif self.cur is not None:
            self.cur[1].append(s)

    def handle_data(self, data):
        if self.in_body and not self.skip_tag:
            self._add(data)


def page_sections(path):
    """[heading, [text parts]] of one HTML page"""
    p = SphinxSections()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    p.close()
    return p.sections


def list_pages(html_dir):
    """the .html pages of PY_DIRS, relative to html_dir ("library/os.html"), folder by folder"""
    need(os.path.join(html_dir, "library", "shutil.html"), "python3.11-doc")
    files = []
    for d in PY_DIRS:
        folder = os.path.join(html_dir, d)
        need(folder, "python3.11-doc")
        files += [os.path.join(d, f) for f in sorted(os.listdir(folder)) if f.endswith(".html")]
    return files


def section_text(parts):
    text = norm_ws("".join(parts))
    text = SOURCE_CODE_RE.sub("", text)
    return NEW_IN_VERSION_RE.sub("", text)


def page_items(rel, sections):
    """the Items of one page's sections; rel is "folder/stem.html" """
    folder, stem = rel.split("/")[0], rel.rsplit("/", 1)[1][:-5]
    module = None
    page_aliases = {stem}
    for k, (heading, parts) in enumerate(sections):
        heading = heading.replace("\u00b6", "").strip()
        query = heading
        m = MODULE_HEADING_RE.match(heading)
        if m:
            query = m.group(2).strip()
            if k == 0:
                module = m.group(1)
                page_aliases |= {module, module.rsplit(".", 1)[-1]}
        query = NUMBERING_RE.sub("", query)
        name = query if not m else m.group(1)
        yield Item("python3-doc", query, section_text(parts), name,
                   aliases=page_aliases | {heading, query},
                   group=folder, context=module or stem)


def python_items(stats, html_dir=PY_HTML):
    """Items of every section of every page, page by page"""
    files = list_pages(html_dir)
    for i, rel in enumerate(files):
        if i % 100 == 0:
            log("python3-doc: %d/%d pages" % (i, len(files)))
        yield from page_items(rel, page_sections(os.path.join(html_dir, rel)))
