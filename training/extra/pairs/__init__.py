"""Extra (query, document) training pairs from Debian documentation packages (build_pairs.py is
the command line).

Modules:
  common       Item, text normalization and truncation, limits, logging, need()
  exclusion    the man pages set, the excluded query ids and the exclusion rule
  wordnet      source `wordnet`      WordNet 3.0: term -> its senses
  foldoc       source `foldoc`       FOLDOC: term -> definition
  python_doc   source `python3-doc`  Python 3.11 HTML docs: section heading -> section text
  info         source `info`         GNU info manuals: section heading -> section text
  man          source `man`          man pages not in the set: NAME description -> DESCRIPTION
  pipeline     one source's candidates -> its pairs (filters, exclusion, duplicates, sample)

Every source module has a generator `<source>_items(stats, ...)` yielding common.Item objects in a
deterministic order; `stats` receives the source's own counters for the report.
"""
