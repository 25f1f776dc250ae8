// Package prompt is whet's domain: prompts, immutable versions, messages,
// params, refs, templates, content hashes, and the records of runs, results
// and scores. It is pure: no I/O, no SQL, and it imports nothing of whet's.
package prompt
