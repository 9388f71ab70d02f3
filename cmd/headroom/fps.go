package main

// dashboardFPS is the dashboard's frame rate cap (see runWatch). Each frame
// tick wakes the Go scheduler even when nothing changed, so it is most of an
// idle dashboard's fixed cost: 20 cost 0.15 points of a core more than 10.
const dashboardFPS = 15
