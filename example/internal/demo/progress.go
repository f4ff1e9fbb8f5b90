package demo

import (
	"time"

	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// BackfillProgress returns a progress function that draws a bar over the
// rows to copy.
func BackfillProgress(out *Printer, totalRows int64) func(backfill.Progress) {
	rows := map[catalog.Entity]int64{}
	items := map[catalog.Entity]int64{}
	every := 100 * time.Millisecond
	if !out.Terminal() {
		every = 5 * time.Second
	}
	start := time.Now()
	var last time.Time
	return func(p backfill.Progress) {
		rows[p.Entity], items[p.Entity] = p.Rows, p.Written+p.Skipped
		var doneRows, doneItems int64
		for e := range rows {
			doneRows, doneItems = doneRows+rows[e], doneItems+items[e]
		}
		if time.Since(last) < every && doneRows < totalRows {
			return
		}
		last = time.Now()
		elapsed := time.Since(start)
		eta := ""
		if 10*doneRows >= totalRows { // the rate settles after the first tenth
			left := time.Duration(float64(elapsed) * float64(totalRows-doneRows) / float64(doneRows))
			eta = "ETA " + Seconds(left.Round(time.Second))
		}
		out.Progress("      %s %3d%%  %s/%s rows (%ss)  %s items/s  %s",
			Bar(doneRows, totalRows, 30), 100*doneRows/max(totalRows, 1), Count(doneRows), Count(totalRows), p.Entity,
			Count(int64(float64(doneItems)/elapsed.Seconds())), eta)
	}
}
