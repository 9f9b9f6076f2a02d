package loadgen

import "strconv"

var methods = []string{
	"GET", "GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "POST",
	"PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND",
}

var userAgents = []string{
	"git/2.39.2.windows.1",
	"git/2.45.1",
	"git/1.8.3.1",
	"gitlab-runner 16.4.1 (16-4-stable; go1.20.5; linux/amd64)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
	"curl/8.5.0",
	"python-requests/2.31.0",
	"Go-http-client/1.1",
	"GitLab-Workhorse",
	"Mozilla/5.0 zgrab/0.x",
	"sqlmap/1.7 (https://sqlmap.org) \\x22probe\\x22", // escape=default writes '"' as \x22
}

var remoteUsers = []string{"somebody", "jdoe", "deploy-bot", "gitlab-ci-token", "Username for 'http", "oauth2"}

var statuses = []int{200, 200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 401, 403, 404, 404, 422, 429, 500, 502}

var protocols = []string{"HTTP/1.1", "HTTP/1.1", "HTTP/2.0", "HTTP/1.0"}

// appendAccess appends a line in Omnibus' gitlab_access format:
// $remote_addr - $remote_user [$time_local] "$request_method
// $filtered_request_uri $server_protocol" $status $body_bytes_sent
// "$filtered_http_referer" "$http_user_agent" $gzip_ratio
func (g *Generator) appendAccess(b []byte) []byte {
	b = g.appendIP(b)
	b = append(b, " - "...)
	if g.chance(30) {
		b = append(b, pick(g, remoteUsers)...)
	} else {
		b = append(b, '-')
	}
	b = append(b, " ["...)
	b = g.now.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = append(b, pick(g, methods)...)
	b = append(b, ' ')
	b = g.appendURI(b)
	b = append(b, ' ')
	b = append(b, pick(g, protocols)...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(pick(g, statuses)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(g.rng.IntN(60000)), 10)
	b = append(b, " \""...)
	if g.chance(40) {
		b = append(b, "https://gitlab.example.com/"...)
		b = append(b, pick(g, projects)...)
	}
	b = append(b, "\" \""...)
	b = append(b, pick(g, userAgents)...)
	b = append(b, "\" "...)
	if g.chance(30) {
		b = strconv.AppendFloat(b, 1+float64(g.rng.IntN(900))/100, 'f', 2, 64)
	} else {
		b = append(b, '-')
	}
	return b
}

func (g *Generator) appendURI(b []byte) []byte {
	p := pick(g, projects)
	switch g.rng.IntN(10) {
	case 0, 1:
		b = append(b, '/')
		b = append(b, p...)
		b = append(b, ".git/info/refs?service=git-upload-pack"...)
	case 2:
		b = append(b, '/')
		b = append(b, p...)
		b = append(b, ".git/git-receive-pack"...)
	case 3:
		b = append(b, "/api/v4/jobs/request"...)
	case 4:
		b = append(b, "/api/v4/projects/"...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(5000)), 10)
		b = append(b, "/repository/files/README.md?private_token=[FILTERED]&ref=main"...)
	case 5:
		b = append(b, "/users/sign_in"...)
	case 6:
		b = append(b, '/')
		b = append(b, p...)
		b = append(b, "/-/merge_requests/"...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(3000)), 10)
		b = append(b, "/diffs.json?diff_head=true&view=inline&w=0"...)
	case 7:
		b = append(b, "/-/readiness"...)
	case 8:
		b = append(b, '/')
		b = append(b, p...)
		b = append(b, "/-/pipelines/"...)
		b = strconv.AppendInt(b, g.seq%900000, 10)
	default:
		b = append(b, "/assets/webpack/main.chunk."...)
		b = strconv.AppendUint(b, uint64(g.rng.Uint32()), 16)
		b = append(b, ".js"...)
	}
	return b
}
