// Package ui is whet's terminal interface, a Bubble Tea v2 program. Run
// starts it; New returns the root model for tests.
//
// # Shape
//
// The root Model (app.go) owns routing, the focus enum, the dialog stack,
// the window size and the shared context (shared.go: theme styles, keys,
// store, author, protected tags, clock). Each screen is its own type in its
// own file — library.go (with inventory.go), versions.go (with diffview.go),
// editor.go (with editorfile.go for $EDITOR), welcome.go, arena.go (with
// arena_picker.go, arena_setup.go, arena_column.go, arena_stream.go),
// history.go (the Runs tab, with history_rerun.go for its drift re-runs),
// results.go (with results_data.go, the run loader and formatting the run
// screens share), compare.go (word diffs from textutil.WordDiff), suites.go
// and models.go (targets, providers and the model identities runs
// recorded, store.ModelsSeen) — and has a concrete Update that returns its own
// type. The root holds the screens behind one pointer (screens), so that
// copying the root on every message stays cheap. Dialogs (dialog.go, palette.go, help.go, export.go) sit on a stack
// above the screens; a dialog with an opened() tea.Cmd method starts its
// work once the root has put it on the stack.
//
// # Other processes
//
// watch.go follows what other processes commit to the database: every two
// seconds, and on a focus event, the root asks Store.DataVersion (SQLite's
// data_version on the writer connection, which the TUI's own writes do not
// move); when it moved, the listing screens are marked stale and the one on
// screen reads again in place (its reload or refresh, keeping the cursor).
//
// # Streams
//
// Runs started in the Arena report through one pump (arena_stream.go): a
// command that blocks on one receive from the run's runner.Broker
// subscription and returns one message, issued again until RunDone. A
// drift re-run started in Runs (history_rerun.go) uses the same executor
// and pump, without the text: its list counts the finished cells. Text
// is appended to a per-cell *strings.Builder in Update and wrapped only on
// the 60 fps frame tick, for the columns whose text changed; views draw
// the wrapped rows and never re-wrap.
//
// # Rules
//
//  1. No I/O in Update or View. Store calls, files and processes run in a
//     tea.Cmd built with shared.do (or a plain closure); the closure gets
//     copies of what it needs, never a model, and returns one typed message.
//  2. Every asynchronous answer carries the id of the request it answers;
//     the screen keeps the id of its latest request and drops other answers.
//  3. A message belongs to one screen: it implements routedMsg and the root
//     delivers it to that screen only. Messages are declared beside the
//     screen that owns them. The root handles its own (dialogs, notices,
//     screen switches, quit) and key presses.
//  4. Keys go first to the top dialog, then wait while the active screen
//     waits for what it is about to show (hold.go: its waiting method;
//     esc does not wait, its abandon method drops what it waits for),
//     then to the global keys (ctrl+c,
//     ctrl+p; and ?, q, 1-8 unless a text field has the focus), then to the
//     active screen. q quits from every screen and esc goes back (keys.go). Key bindings are data (key.Binding with help text); help
//     (?) and the palette (ctrl+p) are generated from the same tables, so a
//     key that is not in a table does not exist.
//  5. Screens open dialogs with m.sh.open(d) (return m, m.sh.open(d)): the
//     root puts d on the stack as soon as the Update that opened it
//     returns, before it takes the next message, so a key typed right
//     after the one that opened d (fast typing, a paste) goes to d, not to
//     the screen under it. A command's message would come after input
//     already queued; so would a message a key asks for that switches or
//     routes (quit, open the editor, showScreenMsg, arenaOpenMsg, the
//     *OpenMsg of Versions, Runs, Results, Compare and Suites), which
//     Update code posts with m.sh.post(msg) instead of emit(msg), so that
//     keys typed after it reach the screen it shows. Dialogs post their
//     answers too (inputs, the palette; confirmations and choices through
//     answerer, bound when the root stacks them), so "y" acts before the
//     next key. Only what routes is posted: I/O stays in commands (the
//     posted message's handler returns them). open and post are for
//     Update code only, never a command: they write shared. openDialog(d)
//     is the command form, left to code without the shared context that
//     opens a dialog on a command's result (tagDone, extErrorDialog). A
//     dialog answers with a message for the screen that opened it.
//     Confirmations carry the action message itself, so "yes" runs the
//     same code path as the key.
//  6. Text from the store or a model is untrusted: draw it through sanitize
//     (or oneLine), which strips escape sequences and control characters.
//     The root sanitises every paste before a field sees it.
//  7. Colours come from the theme only (themes.Styles); no screen builds a
//     colour. NO_COLOR (and TERM=dumb, see terminalSetup) gives the
//     monochrome theme, where focus is bold or reverse video; a terminal
//     that does not report its background keeps the dark theme, with a
//     notice saying how to pick another. In 16 colours the
//     selected row is reverse video too (shared.fit).
//  8. Every screen draws into exactly the w×h it is given; the root pads and
//     cuts each view to size. Layouts must stay clean down to 60×20; below
//     that the root shows a "terminal too small" notice. The tab bar
//     (tabbar.go) shortens its labels to fit, never wraps or cuts a word;
//     a new screen gives screenID.short a compact name. A new size reaches
//     every screen and every dialog on the stack (resizableDialog).
//  9. Views never mutate: anything a view needs sized (text areas, inputs)
//     is sized in setSize/layout from Update.
package ui
