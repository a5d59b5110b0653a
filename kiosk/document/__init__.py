"""The document core: pure code, no devices and no UI.

Modules, one job each: ``checkdigit`` (7-3-1), ``countries`` (ICAO codes), ``layout`` (where
fields sit), ``dates`` (YYMMDD), ``mrz`` (the strict check, the *checker*), ``repair`` (OCR
repair), ``compose`` (build a valid MRZ), ``decision`` (renewal eligibility, the identify
step's entry point ``assess_document``), ``report`` (what the CLI prints, the *report*).
The parsed MRZ is personal data: nothing here logs, and reprs show codes only.
"""
