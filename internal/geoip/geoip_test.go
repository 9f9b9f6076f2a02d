package geoip

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// place is one network of a test City database.
type place struct {
	network, city, country, iso, continent string
}

// asnEntry is one network of a test ASN database.
type asnEntry struct {
	network string
	number  uint32
	org     string
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en), "de": mmdbtype.String("de-" + en)}
}

// writeDB builds an mmdb file of type dbType at path, replacing any file
// there atomically (write to a temporary file, rename), as geoipupdate does.
func writeDB(t testing.TB, path, dbType string, insert func(tree *mmdbwriter.Tree, ins func(network string, v mmdbtype.DataType))) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		RecordSize:              24,
		IncludeReservedNetworks: true, // so that private ranges carry data the package must ignore
	})
	if err != nil {
		t.Fatal(err)
	}
	insert(tree, func(network string, v mmdbtype.DataType) {
		_, n, err := net.ParseCIDR(network)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, v); err != nil {
			t.Fatalf("insert %s: %v", network, err)
		}
	})
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func writeCity(t testing.TB, path, dbType string, places []place) {
	writeDB(t, path, dbType, func(_ *mmdbwriter.Tree, ins func(string, mmdbtype.DataType)) {
		for _, p := range places {
			m := mmdbtype.Map{
				"country":   mmdbtype.Map{"iso_code": mmdbtype.String(p.iso), "names": names(p.country)},
				"continent": mmdbtype.Map{"code": mmdbtype.String("XX"), "names": names(p.continent)},
			}
			if p.city != "" {
				m["city"] = mmdbtype.Map{"names": names(p.city)}
			}
			ins(p.network, m)
		}
	})
}

func writeASN(t testing.TB, path string, entries []asnEntry) {
	writeDB(t, path, "GeoLite2-ASN", func(_ *mmdbwriter.Tree, ins func(string, mmdbtype.DataType)) {
		for _, e := range entries {
			ins(e.network, mmdbtype.Map{
				"autonomous_system_number":       mmdbtype.Uint32(e.number),
				"autonomous_system_organization": mmdbtype.String(e.org),
			})
		}
	})
}

var testPlaces = []place{
	{"81.2.69.0/24", "London", "United Kingdom", "GB", "Europe"},
	{"2a02:c7c::/32", "Lisbon", "Portugal", "PT", "Europe"},
	{"89.160.20.0/24", "", "Sweden", "SE", "Europe"}, // no city
	// Reserved ranges with data: the package must not use it.
	{"10.0.0.0/8", "Private", "Nowhere", "ZZ", "Nowhere"},
	{"127.0.0.0/8", "Loopback", "Nowhere", "ZZ", "Nowhere"},
	{"100.64.0.0/10", "CGNAT", "Nowhere", "ZZ", "Nowhere"},
	{"192.168.0.0/16", "Private", "Nowhere", "ZZ", "Nowhere"},
	{"169.254.0.0/16", "LinkLocal", "Nowhere", "ZZ", "Nowhere"},
	{"224.0.0.0/4", "Multicast", "Nowhere", "ZZ", "Nowhere"},
	{"198.51.100.0/24", "Doc", "Nowhere", "ZZ", "Nowhere"},
	{"fc00::/7", "ULA", "Nowhere", "ZZ", "Nowhere"},
	{"fe80::/10", "LinkLocal6", "Nowhere", "ZZ", "Nowhere"},
	{"2001:db8::/32", "Doc6", "Nowhere", "ZZ", "Nowhere"},
	{"0.0.0.0/8", "ThisNet", "Nowhere", "ZZ", "Nowhere"},
}

var testASNs = []asnEntry{
	{"81.2.69.0/24", 20712, "Andrews & Arnold Ltd"},
	{"2a02:c7c::/32", 12353, "Vodafone Portugal"},
	{"10.0.0.0/8", 64512, "Private AS"},
}

// render turns fields into "Name=Value;..." for comparison.
func render(fs []parser.Field) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.Write(f.Value)
	}
	return b.String()
}

func openTestDB(t testing.TB, withASN bool) (*DB, string, string) {
	t.Helper()
	dir := t.TempDir()
	city := filepath.Join(dir, "GeoLite2-City.mmdb")
	writeCity(t, city, "GeoLite2-City", testPlaces)
	asn := ""
	if withASN {
		asn = filepath.Join(dir, "GeoLite2-ASN.mmdb")
		writeASN(t, asn, testASNs)
	}
	db, err := Open(city, asn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, city, asn
}

const london = "City=London;Country=United Kingdom;CountryISOCode=GB;Continent=Europe"
const lisbon = "City=Lisbon;Country=Portugal;CountryISOCode=PT;Continent=Europe"

func TestAppendFields(t *testing.T) {
	cityOnly, _, _ := openTestDB(t, false)
	both, _, _ := openTestDB(t, true)
	tests := []struct {
		name, ip      string
		city, withASN string // expected with the City database only / with City and ASN
	}{
		{"public v4", "81.2.69.142", london, london + ";ASN=20712;ASOrganization=Andrews & Arnold Ltd"},
		{"public v6", "2a02:c7c:1234::1", lisbon, lisbon + ";ASN=12353;ASOrganization=Vodafone Portugal"},
		{"v4-mapped v6", "::ffff:81.2.69.142", london, london + ";ASN=20712;ASOrganization=Andrews & Arnold Ltd"},
		{"no city", "89.160.20.1", "Country=Sweden;CountryISOCode=SE;Continent=Europe", "Country=Sweden;CountryISOCode=SE;Continent=Europe"},
		{"miss", "8.8.8.8", "", ""},
		{"XFF list", "81.2.69.142, 10.0.0.1, 192.168.1.1", london, london + ";ASN=20712;ASOrganization=Andrews & Arnold Ltd"},
		{"XFF with spaces", "  \t2a02:c7c::9 ,81.2.69.1", lisbon, lisbon + ";ASN=12353;ASOrganization=Vodafone Portugal"},
		{"XFF private first", "10.1.2.3, 81.2.69.142", "", ""},
		{"private 10/8", "10.20.30.40", "", ""},
		{"private 192.168", "192.168.0.1", "", ""},
		{"loopback", "127.0.0.1", "", ""},
		{"loopback v6", "::1", "", ""},
		{"CGNAT", "100.64.1.1", "", ""},
		{"link-local", "169.254.169.254", "", ""},
		{"multicast", "239.1.2.3", "", ""},
		{"documentation", "198.51.100.7", "", ""},
		{"unspecified", "0.0.0.0", "", ""},
		{"this network", "0.1.2.3", "", ""},
		{"ULA", "fd00::1", "", ""},
		{"link-local v6 with zone", "fe80::1%eth0", "", ""},
		{"documentation v6", "2001:db8::1", "", ""},
		{"mapped private", "::ffff:10.0.0.1", "", ""},
		{"empty", "", "", ""},
		{"spaces only", "   ", "", ""},
		{"invalid", "not-an-ip", "", ""},
		{"with port", "81.2.69.142:443", "", ""},
		{"truncated", "81.2.69", "", ""},
		{"too long", strings.Repeat("1", 200), "", ""},
		{"invalid UTF-8", "\xff\xfe", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := 0; round < 2; round++ { // second round is answered from the cache
				pre := []parser.Field{{Name: "IPAddress", Value: []byte(tt.ip)}}
				got := render(cityOnly.AppendFields(pre, []byte(tt.ip))[1:])
				if got != tt.city {
					t.Errorf("round %d city only: got %q, want %q", round, got, tt.city)
				}
				got = render(both.AppendFields(nil, []byte(tt.ip)))
				if got != tt.withASN {
					t.Errorf("round %d city+asn: got %q, want %q", round, got, tt.withASN)
				}
			}
		})
	}
	if s := both.Stats(); s.Hits == 0 || s.Misses == 0 || s.Errors != 0 {
		t.Errorf("stats = %+v, want hits and misses, no errors", s)
	}
}

func TestASNOnlyAndCountryDB(t *testing.T) {
	dir := t.TempDir()
	asn := filepath.Join(dir, "asn.mmdb")
	writeASN(t, asn, testASNs)
	db, err := Open("", asn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := render(db.AppendFields(nil, []byte("81.2.69.142"))), "ASN=20712;ASOrganization=Andrews & Arnold Ltd"; got != want {
		t.Errorf("ASN only: got %q, want %q", got, want)
	}

	country := filepath.Join(dir, "country.mmdb")
	writeCity(t, country, "GeoLite2-Country", []place{{"81.2.69.0/24", "", "United Kingdom", "GB", "Europe"}})
	cdb, err := Open(country, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cdb.Close()
	if got, want := render(cdb.AppendFields(nil, []byte("81.2.69.142"))), "Country=United Kingdom;CountryISOCode=GB;Continent=Europe"; got != want {
		t.Errorf("Country DB: got %q, want %q", got, want)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	writeCity(t, city, "GeoIP2-City", testPlaces)
	asn := filepath.Join(dir, "asn.mmdb")
	writeASN(t, asn, testASNs)
	junk := filepath.Join(dir, "junk.mmdb")
	if err := os.WriteFile(junk, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, city, asn, want string
	}{
		{"none", "", "", "no database given"},
		{"missing", filepath.Join(dir, "nope.mmdb"), "", "nope.mmdb"},
		{"junk", junk, "", "junk.mmdb"},
		{"ASN as city", asn, "", "is a GeoLite2-ASN database"},
		{"city as ASN", "", city, "is a GeoIP2-City database"},
		{"bad ASN after good city", city, junk, "asn_db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(tt.city, tt.asn)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestReload(t *testing.T) {
	db, city, asn := openTestDB(t, true)
	ip := []byte("81.2.69.142")
	if got := render(db.AppendFields(nil, ip)); !strings.HasPrefix(got, "City=London;") {
		t.Fatalf("before reload: %q", got)
	}
	writeCity(t, city, "GeoLite2-City", []place{{"81.2.69.0/24", "Manchester", "United Kingdom", "GB", "Europe"}})
	writeASN(t, asn, []asnEntry{{"81.2.69.0/24", 65000, "New Owner"}})
	// Without Reload the cached (and mapped) old data is still used.
	if got := render(db.AppendFields(nil, ip)); !strings.HasPrefix(got, "City=London;") {
		t.Fatalf("before reload, after rewrite: %q", got)
	}
	if err := db.Reload(); err != nil {
		t.Fatal(err)
	}
	want := "City=Manchester;Country=United Kingdom;CountryISOCode=GB;Continent=Europe;ASN=65000;ASOrganization=New Owner"
	if got := render(db.AppendFields(nil, ip)); got != want {
		t.Fatalf("after reload: got %q, want %q", got, want)
	}

	// A broken file keeps the loaded databases. It replaces the good one by
	// rename: rewriting a mapped file in place would corrupt the loaded one.
	if err := os.WriteFile(city+".new", []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(city+".new", city); err != nil {
		t.Fatal(err)
	}
	err := db.Reload()
	if err == nil || !strings.Contains(err.Error(), "keeping") {
		t.Fatalf("reload of a broken file: err = %v", err)
	}
	if fe, ok := errors.AsType[*FileError](err); !ok || fe.Option != "city_db" || fe.Path != city {
		t.Errorf("reload of a broken file: err = %v, want a *FileError naming city_db %s", err, city)
	}
	if got := render(db.AppendFields(nil, []byte("81.2.69.143"))); got != want {
		t.Fatalf("after failed reload: got %q, want %q", got, want)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := db.AppendFields(nil, ip); len(got) != 0 {
		t.Errorf("after Close: %q", render(got))
	}
	if err := db.Reload(); err == nil {
		t.Error("Reload after Close succeeded")
	}
}

// TestReloadConcurrent runs lookups (cache misses, so they read the mapped
// files) while the databases are reloaded; run with -race.
func TestReloadConcurrent(t *testing.T) {
	db, _, _ := openTestDB(t, true)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ips := []string{"81.2.69.%d", "2a02:c7c::%x"}
			var fs []parser.Field
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ip := strings.Replace(ips[i%2], "%d", strconv.Itoa(i%250), 1)
				ip = strings.Replace(ip, "%x", strconv.Itoa(i%9999), 1)
				fs = db.AppendFields(fs[:0], []byte(ip))
				if len(fs) == 0 || string(fs[0].Value) == "" {
					t.Errorf("worker %d: no fields for %s", w, ip)
					return
				}
			}
		}(w)
	}
	for i := 0; i < 20; i++ {
		if err := db.Reload(); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestNilDB(t *testing.T) {
	var db *DB
	if got := db.AppendFields(nil, []byte("81.2.69.142")); got != nil {
		t.Errorf("nil DB appended %q", render(got))
	}
}

func TestCacheEviction(t *testing.T) {
	db, _, _ := openTestDB(t, false)
	ip := make([]byte, 0, 16)
	for i := 0; i < CacheSize+100; i++ {
		ip = append(ip[:0], "81.2.69."...)
		ip = strconv.AppendInt(ip, int64(i%256), 10)
		if i >= 256 {
			ip = append(ip, '%') // a zone makes a distinct cache key for the same address
			ip = strconv.AppendInt(ip, int64(i), 10)
		}
		db.AppendFields(nil, ip)
	}
	g := db.gen.Load()
	g.cacheMu.RLock()
	n := len(g.cache)
	g.cacheMu.RUnlock()
	if n > CacheSize {
		t.Errorf("cache holds %d entries, limit %d", n, CacheSize)
	}
}

func TestAppendFieldsHitNoAlloc(t *testing.T) {
	db, _, _ := openTestDB(t, true)
	dst := make([]parser.Field, 0, 16)
	for _, ip := range []string{"81.2.69.142", "10.0.0.1", "garbage", "2a02:c7c::1, 10.0.0.1"} {
		b := []byte(ip)
		db.AppendFields(dst[:0], b) // fill the cache
		if n := testing.AllocsPerRun(100, func() { dst = db.AppendFields(dst[:0], b) }); n != 0 {
			t.Errorf("%s: %v allocations per cached lookup, want 0", ip, n)
		}
	}
}
