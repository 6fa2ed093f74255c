# Shared setup for every ringside chart, loaded first by each chart script.
# Set with gnuplot -e by `ringside plot`: data, png, svg, title, ylabel, note
# (lines split by \n; "" for none), notelines, nodata (1: draw only the note).
# Optional: width, height (pixels, default 1200x750).
if (!exists("width")) width = 1200
if (!exists("height")) height = 750
if (!exists("note")) note = ""
if (!exists("notelines")) notelines = 0
if (!exists("nodata")) nodata = 0
set encoding utf8
set terminal pngcairo size width,height noenhanced font "sans,11" background rgb "white"
set output png
if (!exists("x2room")) x2room = 0
# title (two lines) at the top, then the note lines, then the plot
set label 3 title at screen 0.5, screen 0.965 center front font ",13"
set tmargin at screen (0.885 - 0.022 * notelines - x2room)
set lmargin 12
set rmargin 4
if (notelines > 0) set label 1 note at screen 0.5, screen 0.9 center front textcolor rgb "#a02020" font ",10"

set key outside below center horizontal samplen 3 spacing 1.2
set grid ytics lc rgb "#d8d8d8" lt 1
set border 3
set tics nomirror
set ylabel ylabel
# model colours, indexed by the stable colour number `ringside plot` passes
array C[8] = ["#444444", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
# stack segment colours
array S[8] = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#bab0ac", "#edc948"]
