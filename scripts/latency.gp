# Latency p50 (dashed) and p99 (solid) vs connections, one colour (mono: point type) per model.
# Data: one block per model: connections p50 lo hi p99 lo hi (lo/hi: min-max over runs).
# Variables: n blocks, names, colours, styles, conns.
load scripts."/common.gp"
if (nodata) {
	load scripts."/nodata.gp"
} else {
	set logscale x 10
	set logscale y 10
	set xlabel "connections (log scale)"
	set xtics ()
	do for [i = 1:words(conns)] { set xtics add (word(conns, i) int(word(conns, i))) }
	set xrange [int(word(conns, 1)) / 1.6 : int(word(conns, words(conns))) * 1.6]
	plot for [i = 0:n-1] data index i using 1:6:(0):($7 - $6) with vectors heads size screen 0.005,90 lw 1.5 \
		lc rgb mc(i+1) notitle, \
	     for [i = 0:n-1] data index i using 1:3:(0):($4 - $3) with vectors heads size screen 0.005,90 lw 1.5 \
		lc rgb mc(i+1) notitle, \
	     for [i = 0:n-1] data index i using 1:5 with linespoints lw 2 pt mpt(i+1) \
		lc rgb mc(i+1) title word(names, i+1)." p99", \
	     for [i = 0:n-1] data index i using 1:2 with linespoints lw 1.5 dt 2 pt (mono ? mpt(i+1) : 6) \
		lc rgb mc(i+1) title word(names, i+1)." p50"
}
load scripts."/finish.gp"
