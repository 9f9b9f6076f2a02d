package agent

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// appNameDetections is the APP-NAME of alerts (detections.md §6.6); the
// three raw-log APP-NAMEs never carry alerts.
const appNameDetections = "GitLab-Detections"

// alertEncoder fills syslog messages from alerts, reusing its buffers.
type alertEncoder struct {
	buf  []byte
	vals []string
}

// message fills m from a: APP-NAME GitLab-Detections, MSGID the rule id,
// the severity mapped as detections.md §6.6 specifies, TIMESTAMP the event
// time the condition was met, the alert's fields as STRUCTURED-DATA and
// the alert as one line of JSON as MSG. m aliases e's buffers until the
// next call.
func (e *alertEncoder) message(a *detect.Alert, m *forwarder.Message, o *forwarder.RecordOptions) {
	m.Facility = o.Facility
	m.Severity = syslogSeverity(a.Info.Severity)
	m.Time = a.Time
	m.Hostname = o.Hostname
	m.AppName = appNameDetections
	m.ProcID = o.ProcID
	m.MsgID = a.Info.ID
	clear(m.Params)
	m.Params = m.Params[:0]
	e.vals = e.vals[:0]
	add := func(k, v string) {
		if v != "" {
			e.vals = append(e.vals, k, v)
		}
	}
	add("rule", a.Info.ID)
	add("name", a.Info.Name)
	add("kind", a.Info.Kind.String())
	add("severity", a.Info.Severity.String())
	add("alert_id", a.ID)
	for _, c := range a.Key {
		add(c.Name, c.Value)
	}
	for _, c := range a.Columns {
		add(c.Name, c.Value)
	}
	if a.Count > 0 {
		add("count", strconv.Itoa(a.Count))
	}
	if a.HasThreshold {
		add("threshold", strconv.FormatFloat(a.Threshold, 'f', -1, 64))
	}
	if a.HasBaseline {
		add("baseline_mean", strconv.FormatFloat(a.BaselineMean, 'f', 3, 64))
		add("baseline_sd", strconv.FormatFloat(a.BaselineSD, 'f', 3, 64))
	}
	for _, t := range []struct {
		k string
		t time.Time
	}{{"window_start", a.WindowStart}, {"window_end", a.WindowEnd}, {"first_event", a.FirstEvent}, {"last_event", a.LastEvent}, {"detected_at", a.DetectedAt}} {
		if !t.t.IsZero() {
			add(t.k, t.t.UTC().Format(time.RFC3339Nano))
		}
	}
	if a.Learning {
		add("learning", "true")
	}
	if a.Event != nil {
		for _, c := range a.Event.Columns {
			if a.Get(c.Name) == "" {
				add(c.Name, c.Value)
			}
		}
	}
	obj := make(map[string]string, len(e.vals)/2)
	for i := 0; i < len(e.vals); i += 2 {
		m.Params = append(m.Params, parser.Field{Name: e.vals[i], Value: []byte(e.vals[i+1])})
		obj[e.vals[i]] = e.vals[i+1]
	}
	if a.Event != nil {
		obj["raw"] = a.Event.Raw
	}
	e.buf, _ = json.Marshal(obj)
	m.Msg = e.buf
}

// syslogSeverity maps an alert severity: High → err, Medium → warning,
// Low → notice, Informational → info.
func syslogSeverity(s detect.Severity) forwarder.Severity {
	switch s {
	case detect.SeverityHigh:
		return forwarder.Error
	case detect.SeverityMedium:
		return forwarder.Warning
	case detect.SeverityLow:
		return forwarder.Notice
	}
	return forwarder.Informational
}
