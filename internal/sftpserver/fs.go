package sftpserver

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/pkg/sftp"
)

// rootFS implements the pkg/sftp request-server handlers on a directory
// opened with os.Root, so that no request path (including "..", absolute
// paths and symlinks) can reach outside it.
//
// The owner write bit is enforced by the handlers themselves: a directory
// without it refuses new entries, removals and renames, and a file without
// it refuses writes, with "permission denied". A test running as root
// (which the kernel would let through) therefore sees the same behaviour
// as an unprivileged SFTP account after "chmod 0500".
type rootFS struct {
	root *os.Root
}

func openRootFS(dir string) (*rootFS, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s is not a directory", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	return &rootFS{root: r}, nil
}

func (f *rootFS) close() { _ = f.root.Close() }

func (f *rootFS) handlers() sftp.Handlers {
	return sftp.Handlers{FileGet: f, FilePut: f, FileCmd: f, FileList: f}
}

// rel turns a request path (absolute, slash-separated) into a path relative
// to the root.
func rel(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// fsErr makes an os.Root escape attempt look like what it is to the client:
// permission denied.
func fsErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "escapes from parent") {
		return &os.PathError{Op: "open", Path: "", Err: syscall.EACCES}
	}
	return err
}

func denied(op, p string) error {
	return &os.PathError{Op: op, Path: "/" + p, Err: syscall.EACCES}
}

// dirWritable fails unless dir exists and has its owner write bit.
func (f *rootFS) dirWritable(op, dir string) error {
	fi, err := f.root.Stat(dir)
	if err != nil {
		return fsErr(err)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return denied(op, dir)
	}
	return nil
}

// Fileread opens a file for reading.
func (f *rootFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	file, err := f.root.Open(rel(r.Filepath))
	if err != nil {
		return nil, fsErr(err)
	}
	return file, nil
}

// Filewrite opens a file for writing.
func (f *rootFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return f.openWrite(r)
}

// OpenFile opens a file for reading and writing.
func (f *rootFS) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	return f.openWrite(r)
}

func (f *rootFS) openWrite(r *sftp.Request) (*os.File, error) {
	name := rel(r.Filepath)
	pf := r.Pflags()
	flags := os.O_WRONLY
	if pf.Read {
		flags = os.O_RDWR
	}
	if pf.Creat {
		flags |= os.O_CREATE
	}
	if pf.Trunc {
		flags |= os.O_TRUNC
	}
	if pf.Excl {
		flags |= os.O_EXCL
	}
	// Append is ignored: the client sends offsets with every write.

	fi, err := f.root.Lstat(name)
	switch {
	case err == nil && fi.Mode().Perm()&0o200 == 0:
		return nil, denied("open", name)
	case errors.Is(err, fs.ErrNotExist) && pf.Creat:
		if err := f.dirWritable("open", path.Dir(name)); err != nil {
			return nil, err
		}
	}
	// New files get the mode OpenSSH's sftp-server gives them under the
	// usual umask, so that a client that wants them private must say so.
	file, err := f.root.OpenFile(name, flags, 0o644)
	if err != nil {
		return nil, fsErr(err)
	}
	return file, nil
}

// Filecmd handles setstat, rename, posix-rename, remove, mkdir and rmdir.
// Links and symlinks are not supported.
func (f *rootFS) Filecmd(r *sftp.Request) error {
	name := rel(r.Filepath)
	switch r.Method {
	case "Setstat":
		return f.setstat(name, r)
	case "Rename":
		// SFTP v3 rename (as in OpenSSH) never replaces the target.
		if _, err := f.root.Lstat(rel(r.Target)); err == nil {
			return &os.PathError{Op: "rename", Path: r.Target, Err: syscall.EEXIST}
		}
		return f.rename(name, rel(r.Target))
	case "Remove", "Rmdir":
		fi, err := f.root.Lstat(name)
		if err != nil {
			return fsErr(err)
		}
		if fi.IsDir() != (r.Method == "Rmdir") {
			return &os.PathError{Op: strings.ToLower(r.Method), Path: r.Filepath, Err: syscall.EINVAL}
		}
		if err := f.dirWritable("remove", path.Dir(name)); err != nil {
			return err
		}
		return fsErr(f.root.Remove(name))
	case "Mkdir":
		if err := f.dirWritable("mkdir", path.Dir(name)); err != nil {
			return err
		}
		return fsErr(f.root.Mkdir(name, 0o700))
	default:
		return sftp.ErrSSHFxOpUnsupported
	}
}

// PosixRename renames, replacing the target (posix-rename@openssh.com).
func (f *rootFS) PosixRename(r *sftp.Request) error {
	return f.rename(rel(r.Filepath), rel(r.Target))
}

func (f *rootFS) rename(from, to string) error {
	if err := f.dirWritable("rename", path.Dir(from)); err != nil {
		return err
	}
	if err := f.dirWritable("rename", path.Dir(to)); err != nil {
		return err
	}
	return fsErr(f.root.Rename(from, to))
}

func (f *rootFS) setstat(name string, r *sftp.Request) error {
	flags, attrs := r.AttrFlags(), r.Attributes()
	if flags.Size {
		fi, err := f.root.Lstat(name)
		if err != nil {
			return fsErr(err)
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return denied("truncate", name)
		}
		file, err := f.root.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return fsErr(err)
		}
		err = file.Truncate(int64(attrs.Size))
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := f.root.Chmod(name, attrs.FileMode().Perm()); err != nil {
			return fsErr(err)
		}
	}
	if flags.Acmodtime {
		if err := f.root.Chtimes(name, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return fsErr(err)
		}
	}
	return nil // owner changes are ignored
}

// Filelist handles directory listings and stat.
func (f *rootFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	name := rel(r.Filepath)
	switch r.Method {
	case "List":
		d, err := f.root.Open(name)
		if err != nil {
			return nil, fsErr(err)
		}
		defer d.Close()
		entries, err := d.Readdir(-1) // lstat information: symlinks stay symlinks
		if err != nil {
			return nil, fsErr(err)
		}
		return listerAt(entries), nil
	case "Stat":
		fi, err := f.root.Stat(name)
		if err != nil {
			return nil, fsErr(err)
		}
		return listerAt{fi}, nil
	default: // Readlink
		return nil, sftp.ErrSSHFxOpUnsupported
	}
}

// Lstat stats a path without following a final symlink.
func (f *rootFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := f.root.Lstat(rel(r.Filepath))
	if err != nil {
		return nil, fsErr(err)
	}
	return listerAt{fi}, nil
}

// listerAt serves a fixed list of entries.
type listerAt []os.FileInfo

func (l listerAt) ListAt(out []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[offset:])
	if n < len(out) {
		return n, io.EOF
	}
	return n, nil
}
