"""The scale benchmark of issue #6 (``python -m bench``): data preparation, query shapes, timing, report."""
