// Package report renders runs and comparisons as Markdown, JSON, CSV and a
// plain terminal table, runs also as JUnit XML for CI systems' test
// reports, and computes the summary statistics they show.
//
// Every renderer is a pure function of plain data (a RunReport or a
// Comparison): it never reads a store, the clock or the environment, so the
// CLI (`whet run --format`, `whet export`) and the TUI export dialog produce
// the same bytes from the same rows.
//
// Model output and provider error text are untrusted. The Markdown and table
// renderers and CSV pass them through textutil.Sanitize (terminal control
// sequences removed); Markdown further escapes them so that no output can
// break a table, close a fenced block, inject HTML or become a link, and so
// that it reads as written both on GitHub and in Glamour (the TUI's
// preview), which undo different escapes (see mdText). The tests render the
// documents with goldmark and with cmark-gfm, GitHub's own renderer, when
// it is installed. JSON keeps the text
// exactly as recorded, every control character in it (C1 and bidirectional
// controls included) written as a \u escape. The JSON schema and the CSV
// columns are documented in SCHEMA.md.
package report
