package demo

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Printer writes the demo's output. On a terminal a progress line is
// rewritten in place (carriage return); elsewhere, as in CI logs, each
// progress update is a line of its own, so callers update less often.
type Printer struct {
	w   io.Writer
	tty bool

	mu   sync.Mutex
	live bool // a progress line is on the screen
}

// NewPrinter writes to f, rewriting progress lines if f is a terminal.
func NewPrinter(f *os.File) *Printer {
	fi, err := f.Stat()
	return &Printer{w: f, tty: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

// NewPlainPrinter writes to w, never in place.
func NewPlainPrinter(w io.Writer) *Printer { return &Printer{w: w} }

// Terminal reports whether progress lines are rewritten in place.
func (p *Printer) Terminal() bool { return p.tty }

// Printf writes lines, after ending a progress line.
func (p *Printer) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLive()
	fmt.Fprintf(p.w, format, args...)
}

// Progress shows a progress line: in place on a terminal, else as a line.
func (p *Printer) Progress(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := strings.TrimRight(fmt.Sprintf(format, args...), " ")
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	fmt.Fprint(p.w, "\r"+line+"\x1b[K") // erase what a longer line left
	p.live = true
}

// Done ends a progress line.
func (p *Printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLive()
}

func (p *Printer) endLive() {
	if p.live {
		fmt.Fprintln(p.w)
		p.live = false
	}
}

// Bar draws a progress bar of done out of total.
func Bar(done, total int64, width int) string {
	filled := width
	if total > 0 {
		filled = int(min(done, total) * int64(width) / total)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// Count formats n with thousands separators: 12,345.
func Count[T ~int | ~int64 | ~uint64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Seconds formats a phase's duration: 3.1s, 1m05s.
func Seconds(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// Millis formats a latency: 0.42 ms, 12.3 ms.
func Millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", ms)
}
