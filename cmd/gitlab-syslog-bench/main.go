// Command gitlab-syslog-bench (the benchmark harness) compares gitlab-syslog with rsyslog and syslog-ng end to
// end: it generates GitLab log files, lets each shipper forward the same
// file over loopback TCP to an in-process counting sink, and prints a
// Markdown table of lines/s, MB/s, CPU seconds per million lines, peak RSS,
// lost lines and the agent's ratio to each peer.
//
// Run it from the repository root:
//
//	go run ./cmd/gitlab-syslog-bench [-lines 1000000] [-types audit,access,application,auth]
//	    [-peers rsyslog,syslog-ng,syslog-ng-nfc] [-agent PATH] [-out DIR]
//	go run ./cmd/gitlab-syslog-bench -rate 10MB [-duration 30s] [-types audit]
//
// Without -agent it builds ./cmd/gitlab-syslog into DIR. A shipper that is
// missing or fails is reported and skipped; the harness installs nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/bench"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

type flags struct {
	lines       int
	types       string
	peers       string
	agent       string
	agentArgs   string
	agentConfig string
	agentEnv    string
	out         string
	seed        uint64
	idle        time.Duration
	rate        string
	perLine     bool
	duration    time.Duration
	frame       bool
	repeat      int
	detections  string
	mix         string
}

func main() {
	var f flags
	flag.IntVar(&f.lines, "lines", 1_000_000, "lines per generated file")
	flag.StringVar(&f.types, "types", "audit,access,application", "log types to generate and ship, comma separated")
	flag.StringVar(&f.peers, "peers", "rsyslog,syslog-ng,syslog-ng-nfc", "peers to compare with: rsyslog, syslog-ng (flow control), syslog-ng-nfc (no flow control); \"\" for none")
	flag.StringVar(&f.agent, "agent", "", "gitlab-syslog binary; default: go build ./cmd/gitlab-syslog into -out; \"none\" to skip the agent")
	flag.StringVar(&f.agentArgs, "agent-args", strings.Join(bench.DefaultAgentArgs, " "), "agent arguments; {config} is the generated config file")
	flag.StringVar(&f.agentConfig, "agent-config", "", "agent config template file replacing the generated one ({file} {type} {addr} {state_dir} {app_name} are filled in)")
	flag.StringVar(&f.agentEnv, "agent-env", "", "extra agent environment, comma separated KEY=VALUE")
	flag.StringVar(&f.out, "out", "", "directory for generated files, configs, logs and results.md; default a new temporary directory")
	flag.Uint64Var(&f.seed, "seed", 1, "generator seed")
	flag.DurationVar(&f.idle, "idle", 5*time.Second, "give up on a shipper after this long without a frame and report the missing lines as lost")
	flag.StringVar(&f.rate, "rate", "", "steady-rate mode: append to a live file at this rate (e.g. 10MB, 512KiB) and report CPU % of one core")
	flag.DurationVar(&f.duration, "duration", 30*time.Second, "how long to write in -rate mode")
	flag.BoolVar(&f.perLine, "per-line", false, "in -rate mode, write each line with its own write(2), as GitLab does, instead of one write per 10 ms")
	flag.StringVar(&f.detections, "detections", "off", "the agent's detection engine, comma separated to run the agent once per value: off, default (the rules on by default), all (also the TI and external-user rules, with a generated indicator file and allowed_domains); ignored with -agent-config")
	flag.StringVar(&f.mix, "mix", "security", "how generated audit lines spread over kinds of event: security (about one line in four a detection looks for) or realistic (an ordinary instance's traffic: mostly sign-ins and member changes)")
	flag.IntVar(&f.repeat, "repeat", 1, "runs per shipper and file; the table shows the median run by lines/s and the range")
	flag.BoolVar(&f.frame, "frame", false, "internal: act as the baseline framer: -frame FILE ADDR")
	flag.Parse()

	if f.frame {
		os.Exit(frameMain(flag.Args()))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, f, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

// frameMain is the baseline child: it frames FILE to ADDR and exits.
func frameMain(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "harness -frame: want FILE ADDR")
		return 2
	}
	if _, _, err := bench.FrameFile(context.Background(), args[0], args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func run(ctx context.Context, f flags, stdout io.Writer) error {
	types, err := parseTypes(f.types)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range splitList(f.detections) {
		if !bench.ValidDetections(d) {
			return fmt.Errorf("-detections %q: want off, default or all (comma separated)", d)
		}
		if seen[d] {
			return fmt.Errorf("-detections %q: %s is given twice; each value is one run of the agent and one row", f.detections, d)
		}
		seen[d] = true
	}
	mix, err := parseMix(f.mix)
	if err != nil {
		return err
	}
	if f.rate == "" && f.lines <= 0 {
		return fmt.Errorf("-lines %d: want a positive number of lines per generated file", f.lines)
	}
	if f.out == "" {
		if f.out, err = os.MkdirTemp("", "gitlab-syslog-bench-*"); err != nil {
			return fmt.Errorf("output directory: %w", err)
		}
	} else if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	log.Info("harness", "out", f.out)

	agents, agentNote := setupAgent(ctx, f, log)
	peers, notes, err := setupPeers(f.peers)
	if err != nil {
		return err
	}
	if agentNote != "" {
		notes = append([]string{"agent: not available (" + agentNote + ")"}, notes...)
	}
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, n)
	}
	opts := bench.Options{WorkDir: f.out, Idle: f.idle}

	var report strings.Builder
	fmt.Fprintf(&report, "Machine: %d CPUs (%s), %s/%s, %s, load average at start %s. Sink and shippers share the machine.\n\n",
		runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAvg())
	for _, n := range notes {
		fmt.Fprintf(&report, "- %s\n", n)
	}
	if len(notes) > 0 {
		report.WriteString("\n")
	}

	shippers := append(agents, peers...) // the agent first, when present
	if f.rate != "" {
		rate, err := parseRate(f.rate)
		if err != nil {
			return err
		}
		for _, t := range types {
			var rows []bench.RateResult
			for _, sh := range shippers {
				log.Info("rate run", "type", t, "shipper", sh.Name(), "rate", f.rate, "duration", f.duration)
				r, err := bench.RunRate(ctx, sh, bench.RateJob{Type: t, BytesPerSec: rate, Duration: f.duration, Seed: f.seed, PerLine: f.perLine, Mix: mix}, opts)
				if err != nil {
					return err
				}
				logFailure(log, r.Shipper, r.Err, r.Output)
				rows = append(rows, r)
			}
			writeRateTable(&report, t, f.rate, f.duration, f.perLine, rows)
		}
	} else {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("own executable for the baseline framer: %w", err)
		}
		shippers = append(shippers, bench.Framer{Command: []string{self, "-frame"}})
		for _, t := range types {
			file := filepath.Join(f.out, t.String()+".log")
			start := time.Now()
			st, err := loadgen.WriteFile(file, loadgen.Options{Type: t, Lines: f.lines, Seed: f.seed, Mix: mix})
			if err != nil {
				return err
			}
			log.Info("generated", "file", file, "lines", st.Lines, "bytes", st.Bytes, "took", time.Since(start).Round(time.Millisecond))
			job := bench.Job{File: file, Type: t, Lines: int64(st.Lines), Bytes: st.Bytes}
			// Repeats go round the shippers so that a burst of load on the
			// machine does not fall on one shipper's runs only.
			runs := make([][]bench.Result, len(shippers))
			broken := make([]bool, len(shippers))
			for i := range max(f.repeat, 1) {
				for j, sh := range shippers {
					if broken[j] {
						continue
					}
					log.Info("run", "type", t, "shipper", sh.Name(), "run", i+1)
					r, err := bench.Run(ctx, sh, job, opts)
					if err != nil {
						return err
					}
					logFailure(log, r.Shipper, r.Err, r.Output)
					runs[j] = append(runs[j], r)
					broken[j] = r.Err != nil && r.Sink.Frames == 0 // it does not work at all: do not repeat
				}
			}
			var rows []row
			for _, r := range runs {
				rows = append(rows, median(r))
			}
			writeTable(&report, job, rows, len(agents) > 0)
		}
	}
	fmt.Fprint(stdout, report.String())
	path := filepath.Join(f.out, "results.md")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	log.Info("results written", "file", path)
	return nil
}

func logFailure(log *slog.Logger, shipper string, err error, output string) {
	if err == nil {
		return
	}
	if len(output) > 2000 {
		output = "…" + output[len(output)-2000:]
	}
	log.Warn("shipper failed", "shipper", shipper, "err", err, "output", output)
}

// setupAgent returns the agent shipper, or nil and why it is not available.
func setupAgent(ctx context.Context, f flags, log *slog.Logger) ([]bench.Shipper, string) {
	if f.agent == "none" {
		return nil, "-agent none"
	}
	a := bench.Agent{Bin: f.agent, Args: strings.Fields(f.agentArgs)}
	if f.agentEnv != "" {
		a.Env = strings.Split(f.agentEnv, ",")
	}
	if f.agentConfig != "" {
		b, err := os.ReadFile(f.agentConfig)
		if err != nil {
			return nil, err.Error()
		}
		a.Config = string(b)
	}
	settings := []string{""}
	if a.Config == "" && len(splitList(f.detections)) > 0 {
		settings = splitList(f.detections)
	}
	if a.Bin == "" {
		mod, err := bench.ModuleDir(ctx)
		if err != nil {
			return nil, err.Error()
		}
		a.Bin = filepath.Join(f.out, "gitlab-syslog")
		log.Info("building the agent", "module", mod, "out", a.Bin)
		if err := bench.BuildAgent(ctx, mod, a.Bin); err != nil {
			return nil, err.Error()
		}
	}
	if err := bench.AgentRuns(ctx, a); err != nil {
		return nil, err.Error()
	}
	var agents []bench.Shipper
	for _, d := range settings {
		a.Detections = d
		agents = append(agents, a)
	}
	return agents, ""
}

// setupPeers returns the available peers and a note for each missing one.
func setupPeers(list string) ([]bench.Shipper, []string, error) {
	var peers []bench.Shipper
	var notes []string
	seen := map[string]bool{}
	for _, name := range splitList(list) {
		if seen[name] {
			return nil, nil, fmt.Errorf("-peers %q: %s is given twice; each peer is one run and one row", list, name)
		}
		seen[name] = true
		switch name {
		case "rsyslog":
			r := bench.Rsyslog{}
			if err := r.Available(); err != nil {
				notes = append(notes, "rsyslog: not available: "+err.Error())
				continue
			}
			peers = append(peers, r)
		case "syslog-ng", "syslog-ng-nfc":
			s := bench.SyslogNG{NoFlowControl: name == "syslog-ng-nfc"}
			if err := s.Available(); err != nil {
				notes = append(notes, name+": not available: "+err.Error())
				continue
			}
			peers = append(peers, s)
		default:
			return nil, nil, fmt.Errorf("-peers: unknown peer %q (want rsyslog, syslog-ng or syslog-ng-nfc)", name)
		}
	}
	return peers, notes, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseMix returns the loadgen.Mix the -mix flag names.
func parseMix(s string) (loadgen.Mix, error) {
	switch s {
	case "security", "":
		return loadgen.MixSecurity, nil
	case "realistic":
		return loadgen.MixRealistic, nil
	}
	return 0, fmt.Errorf("-mix %q: want security or realistic", s)
}

func parseTypes(s string) ([]parser.Type, error) {
	var out []parser.Type
	for _, name := range splitList(s) {
		t, err := parser.ParseType(name)
		if err != nil {
			return nil, fmt.Errorf("-types: %w", err)
		}
		if slices.Contains(out, t) {
			return nil, fmt.Errorf("-types %q: %s is given twice; each type is generated and shipped once", s, t)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-types: no type given (want audit, application, access and/or auth)")
	}
	return out, nil
}

// parseRate reads "10MB" (10^6 bytes), "512KiB" (2^10), "2GB", or a plain
// number of bytes, per second.
func parseRate(s string) (float64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSuffix(strings.TrimSpace(s), "/s"), 1.0
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("-rate %q: want a positive size per second like 10MB or 512KiB", s)
	}
	return v * mult, nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimLeft(v, " \t:"))
		}
	}
	return "unknown CPU"
}

// loadAvg returns the 1-minute load average, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
