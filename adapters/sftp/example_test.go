package sftp_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/x12claims/claims/adapters/sftp"
	"github.com/x12claims/claims/internal/sftpserver"
)

// Example uploads a file to an in-process server with the crash-safe
// protocol the pipeline uses (Put to a temporary name, Rename to the final
// name, Stat to verify) and lists the server's responses.
func Example() {
	root, err := os.MkdirTemp("", "sftp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	for _, d := range []string{"inbound", "outbound"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o700); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "outbound", "batch1.999"), []byte("ISA*00*..."), 0o600); err != nil {
		log.Fatal(err)
	}
	pwFile := filepath.Join(root, "password") // outside the served folders in real use
	if err := os.WriteFile(pwFile, []byte("example-password"), 0o600); err != nil {
		log.Fatal(err)
	}

	srv, err := sftpserver.NewServer(sftpserver.Config{
		Root:  root,
		Users: []sftpserver.User{{Name: "claims", Password: "example-password"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := sftp.New(sftp.Config{
		Name:               "example",
		Host:               srv.Host(),
		Port:               srv.Port(),
		User:               "claims",
		PasswordFile:       pwFile,
		HostKeyFingerprint: srv.Fingerprint(),
		UploadDir:          "/inbound",
		ResponseDir:        "/outbound",
		Patterns:           []string{"*.999", "*.835"},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	claim := "ISA*00*...~"
	if err := c.Put(ctx, ".batch1.837.tmp", strings.NewReader(claim), int64(len(claim))); err != nil {
		log.Fatal(err)
	}
	if err := c.Rename(ctx, ".batch1.837.tmp", "batch1.837"); err != nil {
		log.Fatal(err)
	}
	size, err := c.Stat(ctx, "batch1.837")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded batch1.837,", size, "bytes")

	files, err := c.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println("response:", f.Name, f.Size, "bytes")
	}
	// Output:
	// uploaded batch1.837, 11 bytes
	// response: batch1.999 10 bytes
}
