"""Excel and CSV exchange: templates, exports, streaming imports with named errors, error workbooks."""
