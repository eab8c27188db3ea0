"""One module per tool group; each exports ``TOOLS``, a list of ``ToolSpec``."""
