"""The PLADECO plan: its model, the files planners edit, validation, changes and GIS layers.

Pure code, no I/O beyond reading and writing plan files; the catalogue's SQL lives beside the
consumers that own it.
"""
