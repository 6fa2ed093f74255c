# Clustered bars: one bar per model at each connection count (TinyGate, probe
# overhead; refline: optional dashed reference at that y).
# Data: one block per model: x value lo hi, x = group * (nm + 1) + model index.
# Variables: n blocks, names, colours, styles, nm, conns.
load scripts."/common.gp"
if (nodata) {
	load scripts."/nodata.gp"
} else {
	set boxwidth 0.8
	set xrange [-1 : words(conns) * (nm + 1) - 1]
	set yrange [0:*]
	set xtics () scale 0
	do for [g = 1:words(conns)] {
		set xtics add (word(conns, g).(word(conns, g) eq "1" ? " connection" : " connections") \
			(g - 1) * (nm + 1) + (nm - 1) / 2.0)
	}
	if (exists("refline")) {
		set arrow 1 from graph 0, first refline to graph 1, first refline nohead dt 2 lc rgb "#888888"
	}
	# built as a string: a bar's fill is a pattern with mono, a colour without
	eval "plot for [i = 0:n-1] data index i using 1:2 with boxes " . \
		fill("mfp(i+1)", "mc(i+1)") . \
		" title word(names, i+1), " . \
		"for [i = 0:n-1] data index i using 1:3:(0):($4 - $3) with vectors heads size screen 0.005,90 lw 1.5 lc rgb 'black' notitle"
}
load scripts."/finish.gp"
