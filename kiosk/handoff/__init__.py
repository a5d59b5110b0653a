"""Hand-off: the finished application, its reference, and its way to the caseworker.

``references`` makes the reference the citizen takes home; ``record`` builds the minimal
application record from a finished session; ``bundle`` signs and encrypts it for the
municipality; ``server`` serves it over mutual TLS and ``client`` is the caseworker's side.
"""
