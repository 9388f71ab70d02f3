package main

// dashboardFPS caps the full-screen views' frame rate. A frame is drawn only
// when the screen changed (tui/screen), so the cap costs nothing idle; it
// bounds what a fast replay or a held key can cost. It is bubbletea's own
// default: a frame that follows another (the first sample's, after
// "sampling…") waits at most 17 ms.
const dashboardFPS = 60
