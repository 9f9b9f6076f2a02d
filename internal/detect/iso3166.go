package detect

import "strings"

// isoCountries are the officially assigned ISO 3166-1 alpha-2 codes (249,
// as the ISO 3166 Maintenance Agency lists them), and XK, the code
// MaxMind's GeoIP2 databases give Kosovo: the codes a country's
// iso_code can hold there. The user-assigned ranges (AA, QM to QZ, XA to
// XZ, ZZ) and the codes of regions (EU, AP: GeoIP Legacy's Europe and
// Asia/Pacific, which GeoIP2 never gives as a country) are not among them.
var isoCountries = func() map[string]bool {
	const codes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
		"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
		"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
		"DE DJ DK DM DO DZ " +
		"EC EE EG EH ER ES ET " +
		"FI FJ FK FM FO FR " +
		"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
		"HK HM HN HR HT HU " +
		"ID IE IL IM IN IO IQ IR IS IT " +
		"JE JM JO JP " +
		"KE KG KH KI KM KN KP KR KW KY KZ " +
		"LA LB LC LI LK LR LS LT LU LV LY " +
		"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
		"NA NC NE NF NG NI NL NO NP NR NU NZ " +
		"OM " +
		"PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
		"QA " +
		"RE RO RS RU RW " +
		"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
		"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
		"UA UG UM US UY UZ " +
		"VA VC VE VG VI VN VU " +
		"WF WS " +
		"XK " +
		"YE YT " +
		"ZA ZM ZW"
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// notCountryCode says why c, two upper-case letters, is not a country's
// ISO 3166-1 alpha-2 code as GeoIP2 gives it, or "" when it is one.
func notCountryCode(c string) string {
	if isoCountries[c] {
		return ""
	}
	if why, ok := notISOCountry[c]; ok {
		return why
	}
	switch {
	case c == "AA" || c == "ZZ" || c[0] == 'Q' && c[1] >= 'M' || c[0] == 'X':
		return "a user-assigned code (AA, QM to QZ, XA to XZ, ZZ), which no country has and GeoIP2 never gives"
	case c == "EU" || c == "AP":
		return "a region (GeoIP Legacy's Europe or Asia/Pacific), not a country: GeoIP2 gives each address its country's code"
	}
	return "not an assigned ISO 3166-1 code"
}
