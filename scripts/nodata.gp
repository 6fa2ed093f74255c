# A chart with nothing to draw: an empty frame carrying the note in its middle.
unset key
unset tics
unset xlabel
unset ylabel
unset label 1
set tmargin at screen 0.88
set bmargin at screen 0.05
set border 15
set label 2 note at graph 0.5, graph 0.5 center font ",14" textcolor rgb ACCENT
set xrange [0:1]
set yrange [0:1]
plot 2 notitle lc rgb "#ffffff"  # outside the y range: only the frame shows
