package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// framerChildEnv makes the test binary act as the baseline framer child:
// FILE and ADDR are its last two arguments.
const framerChildEnv = "BENCH_TEST_FRAMER_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(framerChildEnv) == "1" {
		args := os.Args
		if _, _, err := FrameFile(context.Background(), args[len(args)-2], args[len(args)-1]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testJob generates a file of n lines of type t in a temporary directory.
func testJob(t testing.TB, typ parser.Type, n int) Job {
	t.Helper()
	file := filepath.Join(t.TempDir(), typ.String()+".log")
	st, err := loadgen.WriteFile(file, loadgen.Options{Type: typ, Lines: n, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return Job{File: file, Type: typ, Lines: int64(st.Lines), Bytes: st.Bytes}
}

// checkComplete fails t unless every line of job arrived.
func checkComplete(t *testing.T, res Result) {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("%s: %v\n%s", res.Shipper, res.Err, res.Output)
	}
	if res.Lost() != 0 || res.Sink.Frames != res.Job.Lines {
		t.Fatalf("%s: %d of %d lines arrived (%d after stop)", res.Shipper, res.Sink.Frames, res.Job.Lines, res.Final.Frames)
	}
	if res.LinesPerSec() <= 0 || res.MBPerSec() <= 0 {
		t.Errorf("%s: lines/s %f, MB/s %f: want positive", res.Shipper, res.LinesPerSec(), res.MBPerSec())
	}
}

func TestRunFramerInProcess(t *testing.T) {
	job := testJob(t, parser.TypeAudit, 20000)
	res, err := Run(context.Background(), Framer{}, job, Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, res)
	// The framer sends each line without its newline.
	if want := job.Bytes - job.Lines; res.Sink.Bytes != want {
		t.Errorf("sink got %d payload bytes, want %d", res.Sink.Bytes, want)
	}
	if res.Measured || res.CPUPerMillion() != 0 {
		t.Errorf("in-process run reports CPU %v (measured %v): want none", res.Usage, res.Measured)
	}
}

func TestRunFramerChild(t *testing.T) {
	t.Setenv(framerChildEnv, "1")
	job := testJob(t, parser.TypeAccess, 20000)
	res, err := Run(context.Background(), Framer{Command: []string{os.Args[0]}}, job, Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, res)
	if !res.Measured || res.Usage.MaxRSS <= 0 {
		t.Errorf("child run: measured %v, usage %+v: want a peak RSS", res.Measured, res.Usage)
	}
}

func TestFrameFileLongLinesAndPartialTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.log")
	long := strings.Repeat("x", 3<<20) // longer than the framer's read buffer
	if err := os.WriteFile(path, []byte("a\n"+long+"\n\nno newline"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ListenSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lines, n, err := FrameFile(context.Background(), path, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	// "a" and the long line; the empty line is skipped and the partial last
	// line held back.
	if lines != 2 || n != int64(1+len(long)) {
		t.Errorf("FrameFile = %d lines, %d bytes; want 2, %d", lines, n, 1+len(long))
	}
	st, err := s.Wait(context.Background(), 2, 5*time.Second, nil)
	if err != nil || st.Bytes != n {
		t.Errorf("sink got %d frames, %d bytes, %v; want 2 frames, %d bytes", st.Frames, st.Bytes, err, n)
	}
}

func TestFrameFileErrors(t *testing.T) {
	ctx := context.Background()
	if _, _, err := FrameFile(ctx, filepath.Join(t.TempDir(), "missing"), "127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v, want an error naming it", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	job := testJob(t, parser.TypeAudit, 10)
	if _, _, err := FrameFile(ctx, job.File, addr); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("closed port: %v, want an error naming %s", err, addr)
	}
}

// cmdShipper runs a shell command as a shipper.
type cmdShipper string

func (c cmdShipper) Name() string { return "sh" }

func (c cmdShipper) Start(ctx context.Context, job Job) (*Process, error) {
	return StartCommand("sh", []string{"/bin/sh", "-c", string(c)}, nil, job.scratch("sh.log"))
}

func TestRunShipperExits(t *testing.T) {
	job := testJob(t, parser.TypeAudit, 100)
	res, err := Run(context.Background(), cmdShipper("echo boom >&2; exit 3"), job, Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Err, ErrExited) || !strings.Contains(res.Err.Error(), "exit status 3") {
		t.Errorf("Err = %v, want ErrExited with the exit status", res.Err)
	}
	if !strings.Contains(res.Output, "boom") {
		t.Errorf("Output = %q, want the shipper's stderr", res.Output)
	}
	if res.Lost() != job.Lines {
		t.Errorf("Lost = %d, want %d", res.Lost(), job.Lines)
	}
}

// halfShipper sends the first half of the file's lines and then idles.
type halfShipper struct{}

func (halfShipper) Name() string { return "half" }

func (halfShipper) Start(ctx context.Context, job Job) (*Process, error) {
	return StartFunc(ctx, "half", func(ctx context.Context) error {
		c, err := net.Dial("tcp", job.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		for range job.Lines / 2 {
			c.Write([]byte("3 abc"))
		}
		<-ctx.Done()
		return nil
	}), nil
}

func TestRunReportsLoss(t *testing.T) {
	job := testJob(t, parser.TypeAudit, 1000)
	res, err := Run(context.Background(), halfShipper{}, job, Options{WorkDir: t.TempDir(), Idle: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Err, ErrIdle) || res.Lost() != 500 {
		t.Errorf("Err = %v, Lost = %d; want ErrIdle and 500", res.Err, res.Lost())
	}
}

func TestRunStopsAHangingShipper(t *testing.T) {
	job := testJob(t, parser.TypeAudit, 10)
	start := time.Now()
	res, err := Run(context.Background(), cmdShipper("trap '' TERM; exec sleep 60"), job,
		Options{WorkDir: t.TempDir(), FirstFrame: 200 * time.Millisecond, Grace: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("Err = %v after %v: want an error well before the shipper's 60s", res.Err, time.Since(start))
	}
}

// agentConfig writes the agent's configuration for job as the harness does
// and loads, resolves and validates it as the agent does.
func agentConfig(t testing.TB, job Job) *config.Config {
	t.Helper()
	return agentConfigOf(t, Agent{}, job)
}

// agentConfigOf is agentConfig for agent a.
func agentConfigOf(t testing.TB, a Agent, job Job) *config.Config {
	t.Helper()
	path, err := a.WriteConfig(job)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("internal/config rejects the generated config: %v", err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatalf("generated config does not resolve: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("generated config does not validate: %v", err)
	}
	return c
}

func TestAgentConfigIsValid(t *testing.T) {
	job := testJob(t, parser.TypeAccess, 10)
	job.Dir, job.Addr = t.TempDir(), "127.0.0.1:6514"
	c := agentConfig(t, job)
	if len(c.Sources) != 1 || c.Sources[0].Path != job.File || c.Sources[0].Type != "access" ||
		c.Forward.URL != "tcp://127.0.0.1:6514" || c.StartAt != "beginning" || c.StateDir != filepath.Join(job.Dir, "state") {
		t.Errorf("generated config %+v does not say what the job says", c)
	}
}

func TestAgentConfigDetections(t *testing.T) {
	for _, tc := range []struct {
		detections string
		name       string
		on         bool
		rules      []string // configured with their data
	}{
		{"", "gitlab-syslog", false, nil},
		{"off", "gitlab-syslog", false, nil},
		{"default", "gitlab-syslog detections=default", true, nil},
		{"all", "gitlab-syslog detections=all", true, []string{"sentinel.external_user", "sentinel.ti_malicious_ip"}},
	} {
		t.Run("detections="+tc.detections, func(t *testing.T) {
			a := Agent{Detections: tc.detections}
			if !ValidDetections(tc.detections) {
				t.Fatalf("ValidDetections(%q) = false", tc.detections)
			}
			if got := a.Name(); got != tc.name {
				t.Errorf("Name() = %q, want %q", got, tc.name)
			}
			job := testJob(t, parser.TypeAudit, 10)
			job.Dir, job.Addr = t.TempDir(), "127.0.0.1:6514"
			c := agentConfigOf(t, a, job)
			if c.Detections.On() != tc.on {
				t.Errorf("detections on = %v, want %v", c.Detections.On(), tc.on)
			}
			if got := c.Detections.RuleIDs(); !slices.Equal(got, tc.rules) {
				t.Errorf("configured rules %v, want %v", got, tc.rules)
			}
			if ti := c.Detections.Rules["sentinel.ti_malicious_ip"].Params["ti_file"]; tc.detections == "all" {
				b, err := os.ReadFile(ti)
				if err != nil || !strings.Contains(string(b), "203.0.113.0/24") {
					t.Errorf("indicator file %q: %q, %v", ti, b, err)
				}
			}
		})
	}
	if ValidDetections("everything") {
		t.Error(`ValidDetections("everything") = true`)
	}
	job := testJob(t, parser.TypeAudit, 10)
	job.Dir = t.TempDir()
	if _, err := (Agent{Detections: "everything"}).WriteConfig(job); err == nil || !strings.Contains(err.Error(), "want off, default or all") {
		t.Errorf("WriteConfig with detections %q: %v, want an error naming the values", "everything", err)
	}
}

func TestPeers(t *testing.T) {
	for _, sh := range []interface {
		Shipper
		Available() error
	}{Rsyslog{}, SyslogNG{}, SyslogNG{NoFlowControl: true}} {
		t.Run(strings.ReplaceAll(sh.Name(), " ", "_"), func(t *testing.T) {
			if err := sh.Available(); err != nil {
				t.Skip(err)
			}
			job := testJob(t, parser.TypeAudit, 20000)
			res, err := Run(context.Background(), sh, job, Options{WorkDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			checkComplete(t, res)
			if !res.Measured || res.CPUPerMillion() <= 0 || res.Usage.MaxRSS <= 0 {
				t.Errorf("usage %+v: want CPU time and a peak RSS", res.Usage)
			}
			// The peers send RFC 5424 headers in front of each line.
			if res.Sink.Bytes <= job.Bytes-job.Lines {
				t.Errorf("sink got %d bytes for %d bytes of lines: no syslog header?", res.Sink.Bytes, job.Bytes-job.Lines)
			}
		})
	}
}

func TestRunRate(t *testing.T) {
	r := Rsyslog{}
	if err := r.Available(); err != nil {
		t.Skip(err)
	}
	res, err := RunRate(context.Background(), r, RateJob{Type: parser.TypeAccess, BytesPerSec: 2e6, Duration: time.Second, Seed: 1, Warmup: 500 * time.Millisecond},
		Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, res.Output)
	}
	if res.Written.Bytes < 1.9e6 || res.Written.Bytes > 2.1e6 {
		t.Errorf("wrote %d bytes in 1s at 2 MB/s", res.Written.Bytes)
	}
	if res.Lost() != 0 || res.Wall < time.Second || res.PeakRSS <= 0 {
		t.Errorf("lost %d, wall %v, peak RSS %d: want 0, ≥1s, >0", res.Lost(), res.Wall, res.PeakRSS)
	}
}

func TestProcCPUAndRSS(t *testing.T) {
	pid := os.Getpid()
	if _, err := ProcCPU(pid); err != nil {
		t.Error(err)
	}
	rss, err := ProcPeakRSS(pid)
	if err != nil || rss <= 0 {
		t.Errorf("ProcPeakRSS = %d, %v", rss, err)
	}
	if _, err := ProcCPU(1 << 30); err == nil {
		t.Error("ProcCPU of a missing process: want an error")
	}
}

func TestMissingPeersSayHowToInstall(t *testing.T) {
	err := Rsyslog{Bin: filepath.Join(t.TempDir(), "rsyslogd")}.Available()
	if err == nil || !strings.Contains(err.Error(), "apt-get install rsyslog") {
		t.Errorf("missing rsyslogd: %v, want the apt-get command", err)
	}
	err = SyslogNG{Root: t.TempDir()}.Available()
	if err == nil || !strings.Contains(err.Error(), "apt-get download syslog-ng-core") || !strings.Contains(err.Error(), "dpkg -x") {
		t.Errorf("missing syslog-ng: %v, want the apt-get download and dpkg -x commands", err)
	}
	job := Job{File: "/var/log/gitlab/x.log", Type: parser.TypeAccess, Addr: "127.0.0.1:601", Dir: "/tmp/d"}
	if c := RsyslogConfig(job); !strings.Contains(c, `TCP_Framing="octet-counted"`) || !strings.Contains(c, `tag="GitLab-Access-Logs"`) || !strings.Contains(c, `port="601"`) {
		t.Errorf("rsyslog config lacks framing, tag or port:\n%s", c)
	}
	for _, nfc := range []bool{false, true} {
		c := SyslogNG{NoFlowControl: nfc}.Config(job)
		if strings.Contains(c, "flags(flow-control)") == nfc || !strings.Contains(c, `transport("tcp")`) || !strings.Contains(c, "flags(no-parse)") {
			t.Errorf("syslog-ng config (no flow control %v):\n%s", nfc, c)
		}
	}
}

// TestWriteAtRate checks both write modes: the file holds exactly the lines
// and bytes reported, at about the rate asked.
func TestWriteAtRate(t *testing.T) {
	for _, perLine := range []bool{false, true} {
		t.Run(fmt.Sprintf("perLine=%v", perLine), func(t *testing.T) {
			g, err := loadgen.NewGenerator(parser.TypeAudit, 1)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(t.TempDir(), "live.log")
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := writeAtRate(context.Background(), f, g, 1e6, 300*time.Millisecond, perLine)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(data)) != st.Bytes || bytes.Count(data, []byte("\n")) != st.Lines {
				t.Errorf("file has %d bytes, %d lines; reported %d bytes, %d lines", len(data), bytes.Count(data, []byte("\n")), st.Bytes, st.Lines)
			}
			if st.Bytes < 290_000 || st.Bytes > 310_000 {
				t.Errorf("wrote %d bytes in 300ms at 1 MB/s", st.Bytes)
			}
		})
	}
}
