"""Self-check of the pairs package on hand-made inputs (no Debian files needed).

    /usr/bin/python3 -m unittest discover -s training/extra -p 'test_*.py'
"""
import collections
import gzip
import os
import tempfile
import unittest

from pairs import foldoc, info, man, python_doc, wordnet
from pairs.common import Item, name_key, norm_key, norm_ws, truncate
from pairs.exclusion import Exclusion
from pairs.pipeline import quality_filter


def exclusion(queries, qrels, corpus=None):
    """an Exclusion of every query of `queries` (id -> text) with qrels (id -> [page ids])"""
    return Exclusion(sorted(queries), queries, qrels, corpus or {"3/x": "an unrelated corpus text"})


class ExclusionRuleTest(unittest.TestCase):
    def test_name_matches_in_any_man_section(self):
        ex = exclusion({"q1": "do something with foo"}, {"q1": {"8/Foo_Bar"}})
        self.assertEqual(ex.names, {"foo bar"})
        self.assertTrue(ex.name_hit(Item("foldoc", "foo bar", "d", "foo bar")))    # no section at all
        self.assertTrue(ex.name_hit(Item("man", "q", "d", "FOO_BAR")))            # case, '_' = ' '
        self.assertFalse(ex.name_hit(Item("man", "q", "d", "foo")))

    def test_alias_match(self):
        ex = exclusion({"q1": "list directory contents"}, {"q1": {"1/ls"}})
        self.assertTrue(ex.name_hit(Item("python3-doc", "q", "d", "Listing", aliases=["x", "LS"])))
        self.assertFalse(ex.name_hit(Item("python3-doc", "q", "d", "Listing", aliases=["x", "lsx"])))

    def test_info_section_under_excluded_ancestor(self):
        items = {it.query: it for it in info.manual_items("tiny", ["tinyprog"], info.parse_nodes(TINY_INFO))}
        self.assertEqual(sorted(items), ["List directory contents", "Something else", "Tiny",
                                         "Which files are listed"])
        self.assertEqual(items["List directory contents"].context, "ls")
        ex = exclusion({"q1": "show the files of a folder"}, {"q1": {"1/ls"}})
        self.assertTrue(ex.name_hit(items["Which files are listed"]))      # via its Up node
        self.assertTrue(ex.name_hit(items["List directory contents"]))
        self.assertFalse(ex.name_hit(items["Something else"]))
        ex = exclusion({"q1": "run the tiny program"}, {"q1": {"1/tinyprog"}})
        self.assertTrue(all(ex.name_hit(it) for it in items.values()))    # the manual's program
        ex = exclusion({"q1": "display Linux processes"}, {"q1": {"1/top"}})
        self.assertFalse(ex.name_hit(items["Which files are listed"]))     # Top is every node's root, not a topic

    def test_query_text_equal_or_contained_at_four_words(self):
        ex = exclusion({"q1": "display the list of open files", "q2": "list directory contents"}, {})
        self.assertTrue(ex.query_hit("List directory contents."))                  # equal, normalized
        self.assertTrue(ex.query_hit("How to display the list of open files quickly"))   # contains it
        self.assertTrue(ex.query_hit("the list of open"))                        # inside it, 4 words
        self.assertFalse(ex.query_hit("list of open"))                           # 3 words: equality only
        self.assertFalse(ex.query_hit("sort: list directory contents"))          # excluded has 3 words
        self.assertFalse(ex.query_hit("displaying the list of open files"))      # whole words only

    def test_doc_identical_to_corpus_doc(self):
        ex = exclusion({"q1": "a query"}, {}, corpus={"1/ls": "The ls program lists files.\n"})
        self.assertTrue(ex.doc_hit("the LS program -- lists files"))
        self.assertFalse(ex.doc_hit("the ls program lists files and folders"))

    def test_check_output_rejects_an_excluded_pair(self):
        ex = exclusion({"q1": "list directory contents"}, {"q1": {"1/ls"}})
        ex.check_output([Item("man", "q q", "some doc", "dir")])
        with self.assertRaises(AssertionError):
            ex.check_output([Item("man", "q q", "some doc", "dir"), Item("man", "q q", "d", "ls")])


class NormalizationTest(unittest.TestCase):
    def test_keys(self):
        self.assertEqual(norm_ws("  a \n\t b  "), "a b")
        self.assertEqual(norm_key("Foo_Bar, (baz)!"), "foo bar baz")
        self.assertEqual(name_key(" Foo_Bar  x"), "foo bar x")

    def test_truncate_at_word_boundary(self):
        self.assertEqual(truncate("alpha beta gamma", 16), "alpha beta gamma")
        self.assertEqual(truncate("alpha beta gamma", 12), "alpha beta")
        self.assertEqual(truncate("alpha beta gamma", 10), "alpha beta")    # the limit ends a word
        self.assertEqual(truncate("alpha beta  gamma", 11), "alpha beta")   # no trailing space
        self.assertEqual(truncate("abcdefghij klm", 5), "abcde")            # one long word: hard cut

    def test_quality_filter(self):
        words = " ".join("w%d" % i for i in range(400))                       # 2,289 characters
        items = [Item("python3-doc", " Open\n files. ", words, "a"),
                 Item("python3-doc", "files", words, "b"),
                 Item("wordnet", "files", words, "c"),
                 Item("wordnet", "short", "only five words in it", "d")]
        drop = collections.Counter()
        kept = quality_filter(items[:2], "python3-doc", drop) + quality_filter(items[2:], "wordnet", drop)
        self.assertEqual([it.name for it in kept], ["a", "c"])              # dictionary: 1 word is fine
        self.assertEqual(kept[0].query, "Open files")
        self.assertLessEqual(len(kept[0].doc), 1500)
        self.assertTrue(words.startswith(kept[0].doc + " "))
        self.assertEqual(drop, {"query_under_2_words": 1, "doc_under_20_words": 1})


TINY_INFO = """\x1f
File: tiny.info,  Node: Top,  Next: ls invocation,  Up: (dir)

Tiny
****

This manual is about tiny things.

* Menu:

* ls invocation::   List files.
\x1f
File: tiny.info,  Node: ls invocation,  Next: Other,  Up: Top

10.1 \u2018ls\u2019: List directory contents
==================================

The \u2018ls\u2019 program lists information about files, *note Which files are listed::.
\x1f
File: tiny.info,  Node: Which files are listed,  Up: ls invocation

10.1.1 Which files are listed
-----------------------------

These options determine which files \u2018ls\u2019 lists information for.
\x1f
File: tiny.info,  Node: Other,  Up: Top

11 Something else
*****************

Text.
"""


class InfoParserTest(unittest.TestCase):
    def test_nodes_sections_and_cross_references(self):
        nodes = info.parse_nodes(TINY_INFO)
        self.assertEqual(list(nodes), ["Top", "ls invocation", "Which files are listed", "Other"])
        self.assertEqual(nodes["Which files are listed"][0], "ls invocation")
        items = list(info.manual_items("tiny", ["tinyprog"], nodes))
        ls = [it for it in items if it.name == "ls invocation"][0]
        self.assertEqual(ls.query, "List directory contents")
        self.assertEqual(ls.doc, "The \u2018ls\u2019 program lists information about files, "
                                 "Which files are listed.")
        self.assertEqual(items[0].doc, "This manual is about tiny things.")   # menu left out


def b64(n):
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    s = ""
    while True:
        s = digits[n % 64] + s
        n //= 64
        if not n:
            return s


class FoldocParserTest(unittest.TestCase):
    def test_index_and_dict(self):
        entries = ["Missing definition\n\n   A note about FOLDOC itself.\n\n",
                   "LISP\nLisp\n\n   1. <language> A {programming language} (1998-03-02)\n"
                   "   2. <jargon> Lots of {parentheses}.\n\n"]
        data, index, off = b"", "00-database-url\tA\tB\n", 0
        for e in entries:
            raw = e.encode()
            index += "%s\t%s\t%s\n" % (e.split("\n")[0], b64(off), b64(len(raw)))
            data, off = data + raw, off + len(raw)
        index += "lisp machine\t%s\t%s\n" % (b64(len(entries[0])), b64(len(entries[1])))
        with tempfile.TemporaryDirectory() as d:
            with gzip.open(os.path.join(d, "x.dict.dz"), "wb") as f:
                f.write(data)
            with open(os.path.join(d, "x.index"), "w") as f:
                f.write(index)
            items = list(foldoc.foldoc_items({}, os.path.join(d, "x.dict.dz"), os.path.join(d, "x.index")))
        self.assertEqual(foldoc.b64num("BA"), 64)
        self.assertEqual([(it.query, it.doc) for it in items],
                         [("LISP", "1. A programming language 2. Lots of parentheses.")])
        self.assertEqual(items[0].aliases, {"lisp", "lisp machine"})


class WordnetParserTest(unittest.TestCase):
    def test_data_and_index(self):
        data = ("  1 This software and database is being provided\n"
                "02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 000 | a member of the "
                "genus Canis;  \"the dog barked all night\"  \n")
        index = ("  1 This software and database is being provided\n"
                 "dog n 1 1 @ 1 1 02084071  \n"
                 "domestic_dog n 1 1 @ 1 0 02084071  \n")
        with tempfile.TemporaryDirectory() as d:
            for p, _ in wordnet.WN_POS:
                for kind, text in (("data.", data), ("index.", index)):
                    with open(os.path.join(d, kind + p), "w") as f:
                        f.write(text if p == "noun" else "")
            stats = {}
            items = list(wordnet.wordnet_items(stats, d))
        self.assertEqual([(it.query, it.doc) for it in items],
                         [("dog", "noun: 1. a member of the genus Canis; \"the dog barked all night\" "
                                  "(synonyms: domestic dog, Canis familiaris)")])
        self.assertEqual(stats, {"lemmas_not_sense_tagged_skipped": 1})
        self.assertEqual(wordnet.parse_data_line("01 00 s 01 galore(ip) 0 000 | plenty")[1],
                         (["galore"], "plenty"))


class PythonDocParserTest(unittest.TestCase):
    def test_sections_of_a_sphinx_page(self):
        page = ('<div class="related"><h3>Navigation</h3></div><div class="body"><section>'
                '<h1>shutil \u2014 High-level file operations<a class="headerlink">\u00b6</a></h1>'
                '<p>Source code: Lib/shutil.py</p><p>The module offers operations. New in version 3.8. '
                'More.</p><pre>shutil.copy(a, b)</pre><dl><dt>shutil.copy(src)</dt><dd>Copies.</dd></dl>'
                '<section><h2>1.2. Directory operations</h2><p>Whole trees.</p></section></section></div>')
        p = python_doc.SphinxSections()
        p.feed(page)
        p.close()
        items = list(python_doc.page_items("library/shutil.html", p.sections))
        self.assertEqual([(it.query, it.name, it.context, norm_ws(it.doc)) for it in items],
                         [("High-level file operations", "shutil", "shutil",
                           "The module offers operations. More. Copies."),
                          ("Directory operations", "Directory operations", "shutil", "Whole trees.")])
        self.assertIn("shutil", items[1].aliases)


class ManParserTest(unittest.TestCase):
    def test_name_line_and_page_ids(self):
        self.assertEqual(man.parse_name_section(["", "XOpenDisplay, XDisplayName \\- connect to", "X server",
                                                 "", "not this"]),
                         ("connect to X server", "XOpenDisplay, XDisplayName"))
        self.assertEqual(man.parse_name_section(["no dash here"]), (None, None))
        self.assertEqual(man.man_page_id("/usr/share/man/man3/XFree.3.gz"), ("3", "XFree"))
        self.assertEqual(man.man_page_id("/usr/share/man/man3/Tcl_Eval.3tcl.gz"), ("3tcl", "Tcl_Eval"))
        self.assertTrue(man.is_so_alias(b'.\\" alias\n.so man3/XOpenDisplay.3\n'))
        self.assertFalse(man.is_so_alias(b".TH X 3\n.SH NAME\nx \\- y\n"))


if __name__ == "__main__":
    unittest.main()
