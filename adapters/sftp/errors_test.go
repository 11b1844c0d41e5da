package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	pkgsftp "github.com/pkg/sftp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name          string
		err           error
		connBroken    bool
		wantPermanent bool
		wantIs        error
	}{
		{"connection lost", pkgsftp.ErrSSHFxConnectionLost, false, false, nil},
		{"eof", fmt.Errorf("read: %w", io.EOF), false, false, nil},
		{"unexpected eof", io.ErrUnexpectedEOF, false, false, nil},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false, false, nil},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false, false, nil},
		{"closed conn", net.ErrClosed, false, false, nil},
		{"deadline", os.ErrDeadlineExceeded, false, false, nil},
		{"internal timeout", context.DeadlineExceeded, false, false, nil},
		{"size mismatch", ErrSizeMismatch, false, false, nil},
		{"unknown on broken connection", errors.New("something odd"), true, false, nil},
		{"unknown", errors.New("something odd"), false, true, nil},
		{"auth", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none password], no supported methods remain"), false, true, ErrAuth},
		{"host key", fmt.Errorf("ssh: handshake failed: %w", &HostKeyError{Key: nil}), false, true, ErrHostKey},
		{"not exist", os.ErrNotExist, false, true, fs.ErrNotExist},
		{"permission", &os.PathError{Op: "open", Path: "/x", Err: os.ErrPermission}, false, true, fs.ErrPermission},
		{"no space errno", syscall.ENOSPC, false, true, ErrNoSpace},
		{"quota errno", syscall.EDQUOT, false, true, ErrNoSpace},
		{"closed client", ErrClosed, false, true, ErrClosed},
		{"status no such file", &pkgsftp.StatusError{Code: 2}, false, true, fs.ErrNotExist},
		{"status permission denied", &pkgsftp.StatusError{Code: 3}, false, true, fs.ErrPermission},
		{"status failure (OpenSSH's quota)", &pkgsftp.StatusError{Code: 4}, true, true, nil},
		{"status connection lost", &pkgsftp.StatusError{Code: 7}, false, false, nil},
		{"status quota exceeded (v5+)", &pkgsftp.StatusError{Code: 15}, false, true, ErrNoSpace},
		{"status no space (v5+)", &pkgsftp.StatusError{Code: 14}, false, true, ErrNoSpace},
		{"invalid name", fmt.Errorf("%w: x", ErrInvalidName), false, true, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err, tt.connBroken)
			if p := !isTransient(got); p != tt.wantPermanent {
				t.Errorf("classify(%v) permanent = %v, want %v", tt.err, p, tt.wantPermanent)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) lost the cause", tt.err)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) {
				t.Errorf("classify(%v) = %v, does not wrap %v", tt.err, got, tt.wantIs)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, true},
		{fmt.Errorf("op: %w", context.DeadlineExceeded), true},
		{&OpError{Op: "put", Path: "/x", Err: transient(io.EOF)}, false},
		{&OpError{Op: "put", Path: "/x", Err: permanent(fs.ErrPermission, errors.New("denied"))}, true},
		{io.ErrUnexpectedEOF, false},
		{os.ErrNotExist, true},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestOpErrorMessage(t *testing.T) {
	err := &OpError{Op: "put", Path: "/inbound/a.tmp", Attempts: 3, Err: transient(io.ErrUnexpectedEOF)}
	want := "sftp put /inbound/a.tmp (after 3 attempts): unexpected EOF"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
