// Package geoip enriches a parsed record with the location and network owner
// of an IP address, read from MaxMind GeoIP2 / GeoLite2 databases (.mmdb).
//
// A DB wraps an optional City (or Country) database and an optional ASN
// database. AppendFields appends these columns to a record, each only when
// the database has a value for it:
//
//	City            English city name            (City database)
//	Country         English country name         (City or Country database)
//	CountryISOCode  ISO 3166-1 alpha-2 code      (City or Country database)
//	Continent       English continent name       (City or Country database)
//	ASN             autonomous system number     (ASN database), decimal
//	ASOrganization  autonomous system owner      (ASN database)
//
// Private, loopback, link-local, multicast, unspecified, shared (CGNAT,
// 100.64.0.0/10), documentation and other reserved addresses are never looked
// up: they get no columns, so an internal address is not mislabelled.
//
// Lookups are cached per address text, so that the hot path (an address seen
// before) costs one map lookup under a read lock and no allocation. Reload
// opens the databases again (after geoipupdate replaced them), swaps them in
// atomically with an empty cache and closes the old readers once the lookups
// that were using them have finished.
//
// The database files must be replaced atomically (write a new file, rename it
// over the old one), as geoipupdate does: the readers memory-map the files,
// and rewriting a mapped file in place corrupts the lookups that use it.
package geoip
