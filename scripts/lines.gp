# A figure vs connections, one line per model (throughput, probe overhead), or vs
# message size (the x values in conns, the axis named by xlabel).
# Data: one block per model (two blank lines apart): connections value lo hi.
# Variables: n blocks, names (quoted words), colours, styles, conns, refline (optional y),
# xlabel (optional, default "connections (log scale)").
if (!exists("xlabel")) xlabel = "connections (log scale)"
load scripts."/common.gp"
if (nodata) {
	load scripts."/nodata.gp"
} else {
	set logscale x 10
	set xlabel xlabel
	set xtics ()
	do for [i = 1:words(conns)] { set xtics add (word(conns, i) int(word(conns, i))) }
	set xrange [int(word(conns, 1)) / 1.6 : int(word(conns, words(conns))) * 1.6]
	set yrange [0:*]
	if (exists("refline")) {
		set arrow 1 from graph 0, first refline to graph 1, first refline nohead dt 2 lc rgb "#888888"
	}
	plot for [i = 0:n-1] data index i using 1:3:(0):($4 - $3) with vectors heads size screen 0.005,90 lw 1.5 \
		lc rgb mc(i+1) notitle, \
	     for [i = 0:n-1] data index i using 1:2 with linespoints lw 2 dt mdt(i+1) pt mpt(i+1) ps 1.2 \
		lc rgb mc(i+1) title word(names, i+1)
}
load scripts."/finish.gp"
