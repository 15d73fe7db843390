package cmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams are the command's input and outputs, replaceable in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	terminal    bool // Out is a terminal
	errTerminal bool // ErrOut is a terminal
	color       bool // color on Out
	errColor    bool // color on ErrOut
	width       int
	in          *bufio.Reader
}

// System returns the process's streams.
func System() *IOStreams {
	ios := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, width: 100}
	if fd := int(os.Stdout.Fd()); term.IsTerminal(fd) {
		ios.terminal = true
		if w, _, err := term.GetSize(fd); err == nil && w > 20 {
			ios.width = w
		}
	}
	ios.errTerminal = term.IsTerminal(int(os.Stderr.Fd()))
	return ios
}

// Test returns streams over buffers: no terminal, no color.
func Test(stdin string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: strings.NewReader(stdin), Out: out, ErrOut: errOut, width: 100}, out, errOut
}

// IsTerminal reports whether Out is a terminal.
func (s *IOStreams) IsTerminal() bool { return s.terminal }

// SetColor turns colors on or off: on turns them on for each stream that
// is a terminal (stdout piped to a file stays plain while errors on the
// terminal are colored).
func (s *IOStreams) SetColor(on bool) {
	s.color = on && s.terminal
	s.errColor = on && s.errTerminal
}

// forceColor turns colors on for both streams, terminals or not (tests).
func (s *IOStreams) forceColor(on bool) { s.color, s.errColor = on, on }

// Width is the terminal width, or 100.
func (s *IOStreams) Width() int { return s.width }

// Errorf prints "Error: ..." to ErrOut.
func (s *IOStreams) Errorf(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.PaintErr(red+bold, "Error:"), fmt.Sprintf(format, args...))
}

// Warnf prints "Warning: ..." to ErrOut.
func (s *IOStreams) Warnf(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.PaintErr(yellow+bold, "Warning:"), fmt.Sprintf(format, args...))
}

// ReadLine reads one line from In, without its newline.
func (s *IOStreams) ReadLine() (string, error) {
	if s.in == nil {
		s.in = bufio.NewReader(s.In)
	}
	line, err := s.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ReadLineContext is ReadLine that gives up when ctx is done (Ctrl-C at a
// prompt). The read itself cannot be stopped: it goes on in the background
// and its line, if one comes, is dropped with the process.
func (s *IOStreams) ReadLineContext(ctx context.Context) (string, error) {
	type read struct {
		line string
		err  error
	}
	ch := make(chan read, 1)
	go func() {
		line, err := s.ReadLine()
		ch <- read{line, err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ANSI styles.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	dim    = "\x1b[2m"
)

// Paint wraps text for Out in an ANSI style when Out has colors on.
func (s *IOStreams) Paint(style, text string) string {
	return paint(s.color, style, text)
}

// PaintErr wraps text for ErrOut in an ANSI style when ErrOut has colors
// on.
func (s *IOStreams) PaintErr(style, text string) string {
	return paint(s.errColor, style, text)
}

func paint(on bool, style, text string) string {
	if !on || style == "" {
		return text
	}
	return style + text + reset
}
