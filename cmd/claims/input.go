package main

import (
	"fmt"
	"io"
	"os"
)

// openInput opens a named file, or standard input for "-".
func openInput(name string, s *streams) (io.Reader, func(), error) {
	if name == "-" {
		return s.in, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("open %w", err)
	}
	return f, func() { f.Close() }, nil
}
