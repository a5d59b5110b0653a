"""The three-letter codes of ICAO Doc 9303 Part 3, section 5 (States, organisations, specials)."""

from __future__ import annotations

# ISO 3166-1 alpha-3 as used by Doc 9303, plus the codes Doc 9303 adds. A code missing here
# is only a warning: validity is structural, the issuing State matters for eligibility.
_ISO_3166 = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR
COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH
ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL
GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR
JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR
MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL
NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY
PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP
SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""

# Codes Doc 9303 Part 3 defines beyond ISO 3166: Germany's one-letter D, the British
# nationality variants, UN and other issuing organisations, the Utopia specimen State, the
# neutral zone, and the stateless/refugee/unspecified codes.
_DOC_9303 = """
D GBD GBN GBO GBP GBS UNO UNA UNK EUE XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC
XXA XXB XXC XXX UTO NTZ
"""

ICAO_CODES: frozenset[str] = frozenset((_ISO_3166 + _DOC_9303).split())


def is_known(code: str) -> bool:
    """Whether a field value (trailing fillers removed) is on the ICAO list."""
    return code in ICAO_CODES
