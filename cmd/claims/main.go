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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0
	exitProblems = 1 // the input has errors (parse, validate)
	exitFailure  = 2 // the command could not run
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// problems makes err exit with exitProblems.
func problems(err error) error { return &exitError{code: exitProblems, err: err} }

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(&streams{in: stdin, out: stdout, err: stderr})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "claims:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "claims:", err)
	return exitFailure
}
