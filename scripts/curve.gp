# A rate sweep: a figure against requests/s, one line per model, the points in
# rising offered rate (p99 or p50 vs achieved rate, CPU per request vs offered).
# Data: one block per model (two blank lines apart): x y offered; then, when nk > 0,
# a block of knees (x y "label"), then, when nc > 0, a block of client-bound points.
# Variables: n, names, colours, styles, nk, nc, logy (1: log y between ymin and ymax),
# xlabel, slo (optional: the p99 SLO in µs, drawn as a dashed line).
load scripts."/common.gp"
if (nodata) {
	load scripts."/nodata.gp"
} else {
	set xlabel xlabel
	set xrange [0:*]
	set format x "%.0s%c"
	if (logy) {
		set logscale y 10
		set yrange [ymin:ymax]
	} else {
		set yrange [0:*]
	}
	if (exists("slo")) {
		set arrow 1 from graph 0, first slo to graph 1, first slo nohead dt 2 lw 1.5 lc rgb ACCENT
		set label 4 sprintf("SLO p99 %g µs", slo) at graph 0.01, first slo offset 0, 0.6 \
			left textcolor rgb ACCENT
	}
	extra = ""
	if (nk > 0) {
		extra = extra.sprintf(", data index %d using 1:2 with points pt 6 ps 3 lw 2 lc rgb '#222222' title 'knee'", n)
		extra = extra.sprintf(", data index %d using 1:2:3 with labels offset 0, 1.6 notitle", n)
	}
	if (nc > 0) {
		extra = extra.sprintf(", data index %d using 1:2 with points pt 2 ps 2.2 lw 2 lc rgb '%s' title 'client-bound point'", n + (nk > 0), ACCENT)
	}
	eval("plot for [i = 0:n-1] data index i using 1:2 with linespoints lw 2 dt mdt(i+1) pt mpt(i+1) ps 1.2 " . \
	     "lc rgb mc(i+1) title word(names, i+1)" . extra)
}
load scripts."/finish.gp"
