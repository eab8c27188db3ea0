"""The machinery shared by the page use cases: status rules (``status``), reads (``queries``) and
revision writes (``writes``). The fast single-statement read of one page is ``services/page_read.py``."""
