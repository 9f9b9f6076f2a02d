package loadgen

import "strconv"

// user is one account that appears in generated lines.
type user struct {
	id       int64
	username string
	name     string
	email    string
}

var users = []user{
	{1, "root", "Administrator", "admin@example.com"},
	{2, "jdoe", "John Doe", "john.doe@example.com"},
	{3, "asmith", "Alice Smith", "alice.smith@example.com"},
	{7, "bwayne", "Bruce Wayne", "bruce@wayne-enterprises.example"},
	{12, "hpotter", "Harry Potter", "harry@hogwarts.example"},
	{28, "mgarcia", "María García", "maria.garcia@example.org"},
	{41, "li.wei", "Li Wei", "li.wei@example.cn"},
	{57, "o'brien", "Conor O'Brien", "conor.obrien@example.ie"},
	{102, "deploy-bot", "Deploy Bot", "deploy-bot@noreply.example.com"},
	{233, "test23", "test23", "test23@elastic.co"},
	{1024, "project_7_bot_3f2a", "project_7_bot", "project7_bot@noreply.example.com"},
	{4711, "ext-contractor", "External \"Ext\" Contractor", "contractor@gmail.com"},
}

var projects = []string{
	"gitlab-org/gitlab-ops", "flightjs/flight", "flightjs/Flight", "root/test",
	"security/secrets-scanner", "platform/infra/terraform-modules", "mobile/ios-app",
	"data/warehouse-etl", "group/proj", "internal/gitlab-auditor",
}

var groups = []string{"flightjs", "gitlab-org", "security", "platform", "platform/infra", "mobile", "data"}

var callerIDs = []string{
	"SessionsController#create", "SessionsController#new", "SessionsController#destroy",
	"ProjectsController#update", "ProjectsController#create", "Admin::UsersController#create",
	"Admin::UsersController#impersonate", "Projects::ProjectMembersController#create",
	"Groups::GroupMembersController#update", "PersonalAccessTokensController#create",
	"POST /api/:version/projects/:id/members", "PUT /api/:version/projects/:id",
	"ProjectDestroyWorker", "Users::MigrateRecordsToGhostUserInBatchesWorker",
}

var featureCategories = []string{
	"system_access", "user_management", "groups_and_projects", "source_code_management",
	"user_profile", "audit_events", "continuous_integration", "compliance_management",
}

var roles = []string{"Guest", "Reporter", "Developer", "Maintainer", "Owner"}

var visibilities = []string{"Private", "Internal", "Public"}

var authMethods = []string{"standard", "standard", "standard", "two-factor", "two-factor-via-webauthn-device", "saml", "ldapmain", "azure_oauth2"}

var severities = []string{"INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// appendCorrelationID appends a ULID-like (current GitLab) or 32-hex (older
// GitLab) correlation id.
func (g *Generator) appendCorrelationID(dst []byte) []byte {
	if g.chance(20) {
		for range 2 {
			r := g.rng.Uint64()
			for range 16 {
				dst = append(dst, hexDigits[r&0xf])
				r >>= 4
			}
		}
		return dst
	}
	dst = append(dst, "01H"...)
	r := g.rng.Uint64()
	for i := range 23 {
		if i == 12 {
			r = g.rng.Uint64()
		}
		dst = append(dst, crockford[r&0x1f])
		r >>= 5
	}
	return dst
}

// appendIP appends a random client address, IPv6 about one time in twenty.
func (g *Generator) appendIP(dst []byte) []byte {
	if g.chance(5) {
		dst = append(dst, "2001:db8:"...)
		dst = strconv.AppendUint(dst, uint64(g.rng.IntN(0xffff)), 16)
		dst = append(dst, "::"...)
		return strconv.AppendUint(dst, uint64(g.rng.IntN(0xffff)+1), 16)
	}
	first := [...]int{10, 172, 192, 34, 52, 81, 91, 185, 203, 208}[g.rng.IntN(10)]
	dst = strconv.AppendInt(dst, int64(first), 10)
	for range 3 {
		dst = append(dst, '.')
		dst = strconv.AppendInt(dst, int64(g.rng.IntN(254)+1), 10)
	}
	return dst
}

const hexDigits = "0123456789abcdef"
