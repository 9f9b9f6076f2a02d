package syslogtest

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in                  string
		app, msgid, sd, msg string
		param, value        string
		wantErr             bool
	}{
		{in: `<190>1 2024-01-01T00:00:00Z h GitLab-Audit-Logs - audit [gitlab@32473 A="x \"q\" \]" B="y"] {"a":1}`,
			app: "GitLab-Audit-Logs", msgid: "audit", sd: `[gitlab@32473 A="x \"q\" \]" B="y"]`, msg: `{"a":1}`, param: "A", value: `x "q" ]`},
		{in: `<190>1 - h app - - - raw line [not sd]`, app: "app", msgid: "-", sd: "-", msg: "raw line [not sd]"},
		{in: `<190>1 - h app - - [a@1][b@2 k="v"]`, app: "app", msgid: "-", sd: `[a@1][b@2 k="v"]`, msg: "", param: "k", value: "v"},
		{in: `<190>1 - h app - - [a@1 k="v`, wantErr: true},
		{in: `190 nope`, wantErr: true},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("Parse(%q) succeeded", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if string(m.AppName) != tt.app || string(m.MsgID) != tt.msgid || string(m.SD) != tt.sd || string(m.Msg) != tt.msg {
			t.Errorf("Parse(%q) = app %q msgid %q sd %q msg %q", tt.in, m.AppName, m.MsgID, m.SD, m.Msg)
		}
		if m.Facility() != 23 || m.Severity() != 6 {
			t.Errorf("Parse(%q): facility %d severity %d", tt.in, m.Facility(), m.Severity())
		}
		if tt.param != "" {
			if v, ok := m.Param(tt.param); !ok || v != tt.value {
				t.Errorf("Param(%q) = %q, %v; want %q", tt.param, v, ok, tt.value)
			}
		}
	}
}
