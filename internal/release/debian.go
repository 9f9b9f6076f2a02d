package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// debVersion is the Debian version nfpm gives o.version: without a leading
// "v", a prerelease after "~" so that it sorts before the release.
func debVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if base, pre, ok := strings.Cut(v, "-"); ok {
		return base + "~" + pre
	}
	return v
}

// debChangelog is the Debian changelog of a native package: one entry for
// this build, naming the revision.
func debChangelog(o options) []byte {
	return fmt.Appendf(nil, "gitlab-syslog (%s) unstable; urgency=medium\n\n  * Release %s.\n    Built from revision %s.\n\n -- %s  %s\n",
		debVersion(o.version), o.version, o.revision, o.maintainer, o.date.Format(time.RFC1123Z))
}

// debCopyright is the machine-readable Debian copyright file
// (copyright-format 1.0), copyright from firstYear (the first commit's) to
// year (the package's). The license text itself is Debian's
// /usr/share/common-licenses/Apache-2.0, the same text as LICENSE.
func debCopyright(firstYear, year int) []byte {
	years := strconv.Itoa(year)
	if firstYear < year {
		years = strconv.Itoa(firstYear) + "-" + years
	}
	return fmt.Appendf(nil, `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: gitlab-syslog
Source: https://github.com/gitlab-syslog/gitlab-syslog

Files: *
Copyright: %s The gitlab-syslog authors
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License");
 you may not use this file except in compliance with the License.
 You may obtain a copy of the License at
 .
   http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS,
 WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 See the License for the specific language governing permissions and
 limitations under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in "/usr/share/common-licenses/Apache-2.0".
`, years)
}
