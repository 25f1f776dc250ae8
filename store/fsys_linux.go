package store

import "syscall"

// noSpace reports whether the file system holding dir has no block or no
// inode left for whet: SQLite then fails to create the -wal file with
// "unable to open database file", as for a folder it may not write.
func noSpace(dir string) bool {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return false
	}
	return fs.Bavail == 0 || (fs.Files > 0 && fs.Ffree == 0)
}
