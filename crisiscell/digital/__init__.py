"""Digital evidence: parsers that turn chat exports into messages an investigator can trust.

Pure code for now: no models, no database. ``crisiscell.digital.parsers`` holds the
WhatsApp and Meta (Facebook, Instagram) parsers and the ``parse_chat`` command line.
"""
