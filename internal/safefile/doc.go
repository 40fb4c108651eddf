// Package safefile reads and writes files that come from untrusted places
// safely. A spec, a saved plan, an emulator state file or a Terraform state
// may sit in a checkout a pull request author controls, so each may be a
// named pipe, a device, a huge file, or a symbolic link to anywhere; an
// output path may lead through such a link. This package holds the rules,
// once, and every reader and writer of riskctl goes through it.
//
// # Reading: one bounded regular-file read
//
// Read, ReadIn and ReadConfined read only regular files, at most limit
// bytes (each caller passes a cap that fits its file):
//
//   - the path is stat'ed first: a directory, named pipe (FIFO), socket or
//     device is refused before any open, and so is a file larger than
//     limit;
//   - it is opened with O_NONBLOCK, so a FIFO swapped in after the stat
//     cannot block the open, and the opened file is checked again (fstat):
//     what was opened must be a regular file within limit;
//   - it is read through a limited reader that stops one byte past limit,
//     so a file that grows while it is read is refused too, never read
//     without end.
//
// Errors are *fs.PathError; their Err is a *NotRegularError or a
// *TooLargeError for the refusals above (Reason gives the text without the
// path, for callers that name the file themselves). The callers and their
// caps: spec files 4 MiB (spec.MaxSpecBytes), saved plans 32 MiB
// (planfile.MaxPlanBytes), Terraform states 64 MiB (tfimport.MaxStateBytes),
// the emulator's state file 64 MiB and behaviors catalogue 1 MiB.
//
// # Reading spec files: confined to the working directory
//
// ReadConfined reads a file through an os.Root, so that a symbolic link
// that leaves the root is refused without being read (as saved plans'
// spec files are, see package planfile). The root is the working
// directory when the path, made relative, lies inside it: a committed
// riskscoring/x.yaml -> /etc/passwd, or a riskscoring/ that links
// elsewhere, is refused. A path given explicitly outside the working
// directory (absolute, or through "..") is the user's choice: its own
// directory is opened as the root, so the directories named on the command
// line are followed as written, but the file itself, or a file found in
// that directory, may not link out of it.
//
// # Writing: atomic, relative to one opened directory
//
// Write and WriteNew write a synced temporary file and rename (or, for
// WriteNew, hard-link) it into place, so a file is either the old one or
// the whole new one. The target's directory is opened once, and the
// temporary file, the sync and the rename all happen relative to that
// descriptor: swapping the directory for a link halfway cannot move the
// write elsewhere. The final name is never followed: a link there is
// replaced (Write) or left alone with an exists error (WriteNew). The
// emulator writes catalogue -o, --ready-file, and a state file outside the
// working directory this way: paths its user names, whose directories may
// be links.
//
// # The output-target rule
//
// CheckTargets and WriteTarget (or OpenTarget) carry out the rule for the files riskctl
// writes from its input (import terraform's specs and handoff, fmt -w,
// plan --out, and the emulator's state file and its lock inside the
// working directory, the default .riskctl/emulator.json):
// no symbolic link anywhere on the way (a directory of the path as written,
// or the file itself), no two targets and no target and input that are the
// same file by any spelling (os.SameFile, or one physical path), and no
// existing file unless replacing is asked for (--force). WriteTarget walks
// the path again one directory at a time, each opened relative to the
// last (os.Root) and checked to be the directory it looked at (no link, the
// same inode), so a directory swapped for a link between the check and the
// write makes the write fail instead of landing outside. OpenTarget opens a
// file in place (the emulator's lock) by the same walk. A target that is an
// input through a link is refused as the input: the more telling reason.
package safefile
