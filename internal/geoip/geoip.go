package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/oschwald/geoip2-golang/v2"
)

// Column names AppendFields adds.
const (
	FieldCity           = "City"
	FieldCountry        = "Country"
	FieldCountryISOCode = "CountryISOCode"
	FieldContinent      = "Continent"
	FieldASN            = "ASN"
	FieldASOrganization = "ASOrganization"
)

// CacheSize is the number of distinct address texts whose result a DB keeps.
// When the cache is full, a random entry makes room for the new one.
const CacheSize = 1 << 16

// maxAddrLen bounds the text that can be an address: the longest IPv6 text
// form is 45 bytes; the rest allows for a zone.
const maxAddrLen = 64

// DB looks up IP addresses in a City (or Country) database and an ASN
// database. It is safe for concurrent use. A nil *DB adds no columns.
type DB struct {
	cityPath, asnPath string

	reloadMu sync.Mutex                 // serialises Reload and Close
	gen      atomic.Pointer[generation] // nil after Close

	hits, misses, errs atomic.Uint64
}

// Stats counts lookups since Open.
type Stats struct {
	Hits   uint64 // answered from the cache
	Misses uint64 // parsed and looked up in the databases
	Errors uint64 // database lookups that failed (corrupt or unreadable database)
}

// generation is one set of open readers with the cache of their results.
type generation struct {
	city, asn *geoip2.Reader

	useMu  sync.RWMutex // read-held during a database lookup; write-held to close
	closed bool

	cacheMu sync.RWMutex
	cache   map[string][]parser.Field
}

// Open opens the databases at cityDB (a GeoIP2/GeoLite2 City or Country
// database) and asnDB (a GeoLite2 ASN or GeoIP2 ISP database). Either path may
// be empty, not both. A file that cannot be used is a *FileError.
func Open(cityDB, asnDB string) (*DB, error) {
	if cityDB == "" && asnDB == "" {
		return nil, errors.New("geoip: no database given: set city_db and/or asn_db")
	}
	g, err := openGeneration(cityDB, asnDB)
	if err != nil {
		return nil, err
	}
	db := &DB{cityPath: cityDB, asnPath: asnDB}
	db.gen.Store(g)
	return db, nil
}

// CityPath returns the path of the City or Country database the DB was
// opened with (Open's cityDB), "" when it has none.
func (db *DB) CityPath() string { return db.cityPath }

// Reload opens the database files again and swaps them in with an empty
// cache. Lookups in progress finish on the old readers, which are closed
// afterwards. When a file cannot be opened, the DB keeps the databases it has
// and Reload returns the error, which wraps a *FileError naming the file.
func (db *DB) Reload() error {
	db.reloadMu.Lock()
	defer db.reloadMu.Unlock()
	if db.gen.Load() == nil {
		return errors.New("geoip: reload: database is closed")
	}
	g, err := openGeneration(db.cityPath, db.asnPath)
	if err != nil {
		return fmt.Errorf("geoip: reload (keeping the databases already loaded): %w", err)
	}
	db.gen.Swap(g).close()
	return nil
}

// Close closes the databases once the lookups in progress have finished.
// AppendFields adds nothing afterwards.
func (db *DB) Close() error {
	db.reloadMu.Lock()
	defer db.reloadMu.Unlock()
	if g := db.gen.Swap(nil); g != nil {
		return g.close()
	}
	return nil
}

// Stats returns the lookup counters.
func (db *DB) Stats() Stats {
	return Stats{Hits: db.hits.Load(), Misses: db.misses.Load(), Errors: db.errs.Load()}
}

// AppendFields appends the location and network columns of the address in ip
// to dst and returns the extended slice. ip may be an X-Forwarded-For style
// list ("203.0.113.7, 10.0.0.1"): the first element is used, spaces trimmed.
// Nothing is appended for an empty, invalid or non-routable address or one
// the databases do not know.
//
// The appended Values are shared with the cache and with other callers: they
// stay valid forever but must not be modified.
func (db *DB) AppendFields(dst []parser.Field, ip []byte) []parser.Field {
	if db == nil {
		return dst
	}
	key := firstAddr(ip)
	if len(key) == 0 || len(key) > maxAddrLen {
		return dst
	}
	for {
		g := db.gen.Load()
		if g == nil {
			return dst
		}
		g.cacheMu.RLock()
		fs, ok := g.cache[string(key)] // no allocation: map index by converted bytes
		g.cacheMu.RUnlock()
		if ok {
			db.hits.Add(1)
			return append(dst, fs...)
		}
		fs, ok = db.resolve(g, key)
		if !ok {
			continue // g was closed by Reload; look up in the new generation
		}
		g.store(string(key), fs)
		db.misses.Add(1)
		return append(dst, fs...)
	}
}

// firstAddr returns the first comma-separated element of b without
// surrounding spaces and tabs.
func firstAddr(b []byte) []byte {
	for i, c := range b {
		if c == ',' {
			b = b[:i]
			break
		}
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// resolve looks key up in g's databases. It returns ok=false when g has been
// closed meanwhile. The columns' values live in one buffer owned by the
// result, copied out of the memory-mapped database.
func (db *DB) resolve(g *generation, key []byte) (fs []parser.Field, ok bool) {
	addr, err := netip.ParseAddr(string(key))
	if err != nil {
		return nil, true
	}
	addr = addr.WithZone("")
	if !routable(addr) {
		return nil, true
	}
	addr = addr.Unmap()

	g.useMu.RLock()
	defer g.useMu.RUnlock()
	if g.closed {
		return nil, false
	}
	var vals [6]string
	if g.city != nil {
		c, err := g.city.City(addr)
		if err != nil {
			db.errs.Add(1)
		} else {
			vals[0] = c.City.Names.English
			vals[1] = c.Country.Names.English
			vals[2] = c.Country.ISOCode
			vals[3] = c.Continent.Names.English
		}
	}
	if g.asn != nil {
		a, err := g.asn.ASN(addr)
		if err != nil {
			db.errs.Add(1)
		} else {
			if a.AutonomousSystemNumber != 0 {
				vals[4] = strconv.FormatUint(uint64(a.AutonomousSystemNumber), 10)
			}
			vals[5] = a.AutonomousSystemOrganization
		}
	}
	names := [6]string{FieldCity, FieldCountry, FieldCountryISOCode, FieldContinent, FieldASN, FieldASOrganization}
	n, size := 0, 0
	for _, v := range vals {
		if v != "" {
			n++
			size += len(v)
		}
	}
	if n == 0 {
		return nil, true
	}
	buf := make([]byte, 0, size)
	fs = make([]parser.Field, 0, n)
	for i, v := range vals {
		if v == "" {
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		fs = append(fs, parser.Field{Name: names[i], Value: buf[start:len(buf):len(buf)]})
	}
	return fs, true
}

// store caches fs under key, evicting a random entry when the cache is full.
func (g *generation) store(key string, fs []parser.Field) {
	g.cacheMu.Lock()
	defer g.cacheMu.Unlock()
	if len(g.cache) >= CacheSize {
		for k := range g.cache {
			delete(g.cache, k)
			break
		}
	}
	g.cache[key] = fs
}

// openGeneration opens the readers for one generation.
func openGeneration(cityDB, asnDB string) (*generation, error) {
	g := &generation{cache: make(map[string][]parser.Field)}
	var err error
	if cityDB != "" {
		if g.city, err = openReader(cityDB, "city_db", "a GeoIP2/GeoLite2 City or Country database",
			func(r *geoip2.Reader) error { _, err := r.City(netip.IPv4Unspecified()); return err }); err != nil {
			return nil, err
		}
	}
	if asnDB != "" {
		if g.asn, err = openReader(asnDB, "asn_db", "a GeoLite2 ASN or GeoIP2 ISP database",
			func(r *geoip2.Reader) error { _, err := r.ASN(netip.IPv4Unspecified()); return err }); err != nil {
			if g.city != nil {
				g.city.Close()
			}
			return nil, err
		}
	}
	return g, nil
}

// FileError is the error of Open and Reload about one database file that
// cannot be used: missing, unreadable, not an MMDB file, or a database of
// the wrong type. Its text names the option and the file.
type FileError struct {
	Option string // the option that names the file: "city_db" or "asn_db"
	Path   string // the database file
	Err    error  // the cause, with the option and the file
}

// Error returns the cause's text, which names the option and the file.
func (e *FileError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// openReader opens path and checks with probe that it is the kind of
// database the option needs. Its errors are *FileError.
func openReader(path, option, want string, probe func(*geoip2.Reader) error) (*geoip2.Reader, error) {
	fail := func(format string, args ...any) error {
		return &FileError{Option: option, Path: path, Err: fmt.Errorf(format, args...)}
	}
	r, err := geoip2.Open(path)
	if err != nil {
		if r != nil {
			r.Close()
		}
		return nil, fail("geoip: open %s %s (want %s): %w", option, path, want, err)
	}
	if err := probe(r); err != nil {
		r.Close()
		var ime geoip2.InvalidMethodError
		if errors.As(err, &ime) {
			return nil, fail("geoip: %s %s is a %s database; want %s", option, path, r.Metadata().DatabaseType, want)
		}
		return nil, fail("geoip: %s %s: test lookup: %w", option, path, err)
	}
	return r, nil
}

// close waits for the lookups using g to finish and closes its readers.
func (g *generation) close() error {
	g.useMu.Lock()
	defer g.useMu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	var errs []error
	if g.city != nil {
		if err := g.city.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geoip: close city_db: %w", err))
		}
	}
	if g.asn != nil {
		if err := g.asn.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geoip: close asn_db: %w", err))
		}
	}
	return errors.Join(errs...)
}
