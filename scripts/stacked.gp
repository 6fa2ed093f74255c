# Stacked bars per model, grouped by connection count (syscalls by name,
# context switches, CPU). Data rows: x "model" top_1 .. top_n, then nw
# whisker triplets (y lo hi); x = group * (nm + 1) + model index.
# Variables: n segments, segs (their names), nw, nm (models), conns; optional
# markcol (a column drawn as a mark on each bar) and marktitle, and a second
# such mark, mark2col and mark2title (cpu-time chart: the cost model's parts).
x2room = 0.035
if (!exists("markcol")) markcol = 0
if (!exists("marktitle")) marktitle = ""
if (!exists("mark2col")) mark2col = 0
if (!exists("mark2title")) mark2title = ""
load scripts."/common.gp"
if (nodata) {
	load scripts."/nodata.gp"
} else {
	set boxwidth 0.8
	set xrange [-1 : words(conns) * (nm + 1) - 1]
	set yrange [0:*]
	set xtics scale 0 rotate by -30 left
	set x2tics () scale 0 font ",11"
	do for [g = 1:words(conns)] {
		set x2tics add (word(conns, g).(word(conns, g) eq "1" ? " connection" : " connections") \
			(g - 1) * (nm + 1) + (nm - 1) / 2.0)
	}
	set link x2
	set key invert
	marks = markcol > 0 ? sprintf(", data using 1:%d:(0.4) with xerrorbars pt 9 ps 1.6 lw 3 lc rgb \"black\" title marktitle", markcol) : ""
	marks = marks . (mark2col > 0 ? sprintf(", data using 1:%d:(0.4) with xerrorbars pt 7 ps 1.4 lw 3 lc rgb \"%s\" title mark2title", mark2col, ACCENT) : "")
	whiskers = nw > 0 ? ", for [w = 1:nw] data using 1:(column(n + 3*w + 1)):(0):(column(n + 3*w + 2) - column(n + 3*w + 1)) with vectors heads size screen 0.005,90 lw 1.5 lc rgb \"black\" notitle" : ""
	# built as a string: macros inside a block expand before these are set
	eval "plot for [k = n:1:-1] data using 1:(column(2 + k)):xtic(2) with boxes " . \
		fill("SP[k]", "S[k]") . " title word(segs, k)" . whiskers . marks
}
load scripts."/finish.gp"
