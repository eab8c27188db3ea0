"""The page storage shared by the use cases: status rules (``status``), reads (``queries``), revision
writes (``writes``) and the full-text rows kept with each page (``search_index``). The fast
single-statement read of one page is ``services/page_read.py``."""
