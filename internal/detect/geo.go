package detect

import (
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// geoLookup finds the country of an event's address for the GeoIP rules.
// In the agent the parse workers may already have enriched the event with
// geoip's columns (CountryISOCode, Country, City); offline (detect) and
// where they did not, the rule looks the address up itself in the same
// database. Private, loopback, shared, documentation and other reserved
// addresses have no country either way (geoip never looks them up).
type geoLookup struct {
	db      *geoip.DB
	owned   bool // opened from geoip_db by the rule
	scratch []parser.Field
}

// place is the location of one address; ISO is "" when it has none.
type place struct {
	ISO, Country, City string
}

// lookup returns the place of ip for ev: ev's enrichment columns when it
// has them and ip is ev's IPAddress, else a database lookup.
func (g *geoLookup) lookup(ev *Event, ip string) place {
	if iso := ev.Get(geoip.FieldCountryISOCode); iso != "" && ip == ev.Get(parser.ColIPAddress) {
		return place{ISO: iso, Country: ev.Get(geoip.FieldCountry), City: ev.Get(geoip.FieldCity)}
	}
	if g.db == nil || ip == "" {
		return place{}
	}
	g.scratch = g.db.AppendFields(g.scratch[:0], []byte(ip))
	var p place
	for _, f := range g.scratch {
		switch f.Name {
		case geoip.FieldCountryISOCode:
			p.ISO = string(f.Value)
		case geoip.FieldCountry:
			p.Country = string(f.Value)
		case geoip.FieldCity:
			p.City = string(f.Value)
		}
	}
	return p
}

// columns returns the alert columns of p.
func (p place) columns() []Column {
	cs := []Column{{geoip.FieldCountryISOCode, p.ISO}}
	if p.Country != "" {
		cs = append(cs, Column{geoip.FieldCountry, p.Country})
	}
	if p.City != "" {
		cs = append(cs, Column{geoip.FieldCity, p.City})
	}
	return cs
}

// countryCodes reads the ISO 3166-1 alpha-2 codes of parameter name
// (upper-cased); a value that is not two letters (Falco's list used
// English display names, which never match an ISO code), or not the code
// of a country as GeoIP2 gives it (isoCountries: not XX, ZZ, EU, nor UK),
// is a *ParamError.
func countryCodes(p *Params, name string) map[string]bool {
	list := p.List(name, nil)
	if len(list) == 0 {
		return nil
	}
	set := make(map[string]bool, len(list))
	for _, given := range list {
		c := strings.ToUpper(given)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			p.Fail(name, fmt.Sprintf("want ISO 3166-1 alpha-2 country codes such as DE,IE,PT (got %q: a country name or other code is not one)", given))
			continue
		}
		if why := notCountryCode(c); why != "" {
			p.Fail(name, fmt.Sprintf("want ISO 3166-1 alpha-2 country codes such as DE,IE,PT (got %q: %s)", given, why))
			continue
		}
		set[c] = true
	}
	return set
}

// notISOCountry holds two-letter codes used for a country that are not
// its ISO 3166-1 code, which GeoIP databases give: with them in
// known_countries, every event from that country would alert.
var notISOCountry = map[string]string{
	"UK": "the United Kingdom is GB",
	"EL": "Greece is GR",
}

// openGeo returns the GeoIP database a rule uses: the agent's (Env.Geo),
// else the City or Country database at parameter geoip_db, which the rule
// opens itself and closes in Close (for detect, which runs without the
// agent's config). Without either the rule is off (*OffError); a geoip_db
// that cannot be opened is a *ParamError naming the file and the cause.
func openGeo(p *Params, env *Env, rule string) (db *geoip.DB, owned bool, err error) {
	if o := noGeo(p, env, rule); o != nil {
		return nil, false, o
	}
	if env != nil && env.Geo != nil {
		return env.Geo, false, nil
	}
	db, err = geoip.Open(p.String("geoip_db", ""), "")
	if err != nil {
		p.Fail("geoip_db", err.Error())
		return nil, false, p.Err()
	}
	return db, true, nil
}

// noGeo returns the *OffError of rule when it has no GeoIP database: the
// agent gave none (Env.Geo) and parameter geoip_db is not set; nil when it
// has one, which it does not open.
func noGeo(p *Params, env *Env, rule string) *OffError {
	if p.String("geoip_db", "") != "" || env != nil && env.Geo != nil {
		return nil
	}
	return &OffError{Rule: rule, Reason: "needs a GeoIP City or Country database " +
		"(geoip: city_db in the agent config, or the geoip_db parameter)"}
}

// unusableGeo is noGeo for a rule that is off for another lack: it also
// returns an *OffError when the rule's geoip_db is given and cannot be
// opened, so that the rule's reason names that second cause too (before,
// it named the first alone, and the database's mistake showed only once
// the first was fixed: fresh-user trial 281). It opens the database and
// closes it; nil when the rule would have one.
func unusableGeo(p *Params, env *Env, rule string) *OffError {
	if o := noGeo(p, env, rule); o != nil || env != nil && env.Geo != nil {
		return o
	}
	db, err := geoip.Open(p.String("geoip_db", ""), "")
	if err != nil {
		return &OffError{Rule: rule, Reason: "its geoip_db cannot be read: " + strings.TrimPrefix(err.Error(), "geoip: ")}
	}
	db.Close()
	return nil
}

// closeOwned closes db when the rule opened it.
func (g *geoLookup) closeOwned() {
	if g.owned && g.db != nil {
		g.db.Close()
		g.db = nil
	}
}
