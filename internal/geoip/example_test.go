package geoip_test

import (
	"log"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// The agent opens the databases once, enriches each parsed record from its
// IPAddress column before encoding, and calls Reload on SIGHUP.
func Example() {
	db, err := geoip.Open("/var/lib/GeoIP/GeoLite2-City.mmdb", "/var/lib/GeoIP/GeoLite2-ASN.mmdb")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var rec parser.Record // filled by a parser
	if ip, ok := rec.Get(parser.ColIPAddress); ok {
		rec.Fields = db.AppendFields(rec.Fields, ip)
	}

	// On SIGHUP, after geoipupdate replaced the files:
	if err := db.Reload(); err != nil {
		log.Print(err) // the old databases stay in use
	}
}
