package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/bench"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// row is a shipper's median run and the range of lines/s over all its runs.
type row struct {
	bench.Result
	runs     int
	min, max float64 // lines/s
}

// median returns the run with the median lines/s (the lower middle one for
// an even count) and the range.
func median(runs []bench.Result) row {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b bench.Result) int { return cmp.Compare(a.LinesPerSec(), b.LinesPerSec()) })
	return row{
		Result: sorted[(len(sorted)-1)/2],
		runs:   len(runs),
		min:    sorted[0].LinesPerSec(),
		max:    sorted[len(sorted)-1].LinesPerSec(),
	}
}

// writeTable writes one Markdown table for a file. The agent is the first
// row when present; "agent ratio" is its lines/s divided by each row's.
func writeTable(w io.Writer, job bench.Job, rows []row, haveAgent bool) {
	fmt.Fprintf(w, "### %s: %d lines, %.1f MB (%.0f bytes/line)\n\n", job.Type, job.Lines,
		float64(job.Bytes)/1e6, float64(job.Bytes)/float64(max(job.Lines, 1)))
	alerts := slices.ContainsFunc(rows, func(r row) bool { return r.Final.Alerts > 0 })
	if alerts {
		fmt.Fprintln(w, "| shipper | lines/s | MB/s | CPU s per 1M lines | peak RSS MiB | lost | agent ratio | alerts |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, "| shipper | lines/s | MB/s | CPU s per 1M lines | peak RSS MiB | lost | agent ratio |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	}
	agentRate := 0.0
	if haveAgent && len(rows) > 0 && rows[0].Err == nil {
		agentRate = rows[0].LinesPerSec()
	}
	var failures, untimed []string
	for i, r := range rows {
		ratio := "—"
		if i > 0 && agentRate > 0 && r.LinesPerSec() > 0 {
			ratio = fmt.Sprintf("%.2f×", agentRate/r.LinesPerSec())
		}
		cpu, rss := "—", "—"
		if r.Measured {
			cpu = fmt.Sprintf("%.2f", r.CPUPerMillion())
			rss = fmt.Sprintf("%.0f", float64(r.Usage.MaxRSS)/(1<<20))
		}
		rate, mb := thousands(r.LinesPerSec()), fmt.Sprintf("%.1f", r.MBPerSec())
		if r.runs > 1 {
			rate += fmt.Sprintf(" (%s–%s)", thousands(r.min), thousands(r.max))
		}
		if r.Sink.Frames > 0 && r.Sink.Duration() <= 0 {
			rate, mb = "—", "—" // not 0: too quick to time
			untimed = append(untimed, r.Shipper)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |", r.Shipper, rate,
			mb, cpu, rss, lost(r.Lost()), ratio)
		if alerts {
			fmt.Fprintf(w, " %d |", r.Final.Alerts)
		}
		fmt.Fprintln(w)
		if r.Err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", r.Shipper, r.Err))
		}
	}
	fmt.Fprintln(w)
	if len(failures) > 0 {
		fmt.Fprintf(w, "Incomplete runs: %s.\n\n", strings.Join(failures, "; "))
	}
	if len(untimed) > 0 {
		fmt.Fprintf(w, "Not timed (every line arrived at once, too quick to time; give more -lines): %s.\n\n", strings.Join(untimed, ", "))
	}
	if len(rows) > 0 && rows[0].runs > 1 {
		fmt.Fprintf(w, "Median of %d runs per shipper, range of lines/s in brackets; the other columns are from the median run.\n\n", rows[0].runs)
	}
	fmt.Fprint(w, "lines/s: frames at the sink from the first to the last; MB/s: input file bytes per second; "+
		"CPU: user+system of the shipper's whole life (start-up included); RSS: rusage maxrss; lost: lines that had not arrived when the sink was idle.")
	if agentRate > 0 && len(rows) > 1 {
		fmt.Fprintf(w, " agent ratio: %s's lines/s divided by the row's (above 1×: the row is slower than %s).", rows[0].Shipper, rows[0].Shipper)
	}
	if alerts {
		fmt.Fprint(w, " alerts: detection alerts (APP-NAME "+bench.AlertAppName+") received besides the lines; they count in neither lines/s nor lost.")
	}
	fmt.Fprint(w, "\n\n")
}

// writeRateTable writes the steady-rate results.
func writeRateTable(w io.Writer, t parser.Type, rate string, d time.Duration, perLine bool, rows []bench.RateResult) {
	writes := "one write per 10 ms"
	if perLine {
		writes = "one write per line"
	}
	fmt.Fprintf(w, "### %s at %s/s for %s (live file, %s)\n\n", t, rate, d, writes)
	fmt.Fprintln(w, "| shipper | CPU % of one core | lines written | lost | peak RSS MiB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	var failures []string
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %.1f | %d | %s | %.0f |\n", r.Shipper, r.CPUPercent(), r.Written.Lines, lost(r.Lost()),
			float64(r.PeakRSS)/(1<<20))
		if r.Err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", r.Shipper, r.Err))
		}
	}
	fmt.Fprintln(w)
	if len(failures) > 0 {
		fmt.Fprintf(w, "Incomplete runs: %s.\n\n", strings.Join(failures, "; "))
	}
	fmt.Fprint(w, "CPU %: the shipper's user+system time from the first append until the last line arrived, over that wall time.\n\n")
}

func lost(n int64) string {
	if n < 0 {
		return fmt.Sprintf("%d extra", -n)
	}
	return fmt.Sprint(n)
}

// thousands formats v rounded to an integer with comma separators: 1,234,567.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
