// Command claims is the HIPAA X12 claims batch processor: it turns
// encounters into 837 claim files, sends them to clearinghouses over SFTP,
// collects the TA1, 999, 277CA and 835 responses and posts payments to
// accounts receivable.
//
// Run "claims help" for the subcommands. "claims demo" runs the whole loop
// against a built-in clearinghouse simulator.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes (documented in the README and in "claims --help").
const (
	exitOK        = 0 // done, nothing needs a person
	exitAttention = 1 // done, but a person must act: a held claim or remittance, a failed file or batch, input with errors
	exitFailure   = 2 // the command could not do its work: bad arguments, configuration, input it refused
)

// exitError carries an exit code out of a command, with the error to
// print (none when err is nil: the command's output already said why).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errAttention ends a command that did its work but left something for
// a person, which its output names: it exits 1 and prints nothing more.
var errAttention = &exitError{code: exitAttention}

// problems makes err exit with exitAttention, printing it.
func problems(err error) error { return &exitError{code: exitAttention, err: err} }

// run executes the command line and returns the exit code.
//
// Everything a command prints on standard output goes through a writer
// that escapes control and format characters (file content such as a
// payer name can hold terminal escape sequences); JSON output is not
// changed by it, since the JSON encoder has escaped them already. Error
// messages are escaped the same way.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := newSafeWriter(stdout)
	defer out.Flush() //nolint:errcheck // the output is gone anyway
	root := newRoot(&streams{in: stdin, out: out, err: stderr})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(out)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "claims:", escapeText(ee.err.Error(), true))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "claims:", escapeText(err.Error(), true))
	return exitFailure
}
