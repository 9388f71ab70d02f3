package main

// dashboardFPS caps the full-screen views' frame rate. A frame is drawn only
// when the screen changed (tui/screen), so the cap costs nothing idle; it
// bounds what a fast replay or a held key can cost, and keys still answer
// within 33 ms.
const dashboardFPS = 30
