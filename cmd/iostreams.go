package cmd

import (
	"bufio"
	"bytes"
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

	terminal bool
	color    bool
	width    int
	in       *bufio.Reader
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
	return ios
}

// Test returns streams over buffers: no terminal, no color.
func Test(stdin string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: strings.NewReader(stdin), Out: out, ErrOut: errOut, width: 100}, out, errOut
}

// IsTerminal reports whether Out is a terminal.
func (s *IOStreams) IsTerminal() bool { return s.terminal }

// SetColor turns colors on or off.
func (s *IOStreams) SetColor(on bool) { s.color = on }

// Width is the terminal width, or 100.
func (s *IOStreams) Width() int { return s.width }

// Errorf prints "Error: ..." to ErrOut.
func (s *IOStreams) Errorf(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.Paint(red+bold, "Error:"), fmt.Sprintf(format, args...))
}

// Warnf prints "Warning: ..." to ErrOut.
func (s *IOStreams) Warnf(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.Paint(yellow+bold, "Warning:"), fmt.Sprintf(format, args...))
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

// Paint wraps s in an ANSI style when colors are on.
func (s *IOStreams) Paint(style, text string) string {
	if !s.color || style == "" {
		return text
	}
	return style + text + reset
}
