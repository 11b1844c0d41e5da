package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	r, done := withProgress(s, filepath.Base(name), f, size)
	return r, func() { done(); f.Close() }, nil
}
