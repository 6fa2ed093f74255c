# Shared setup for every ringside chart, loaded first by each chart script.
# Set with gnuplot -e by `ringside plot`: data, title, ylabel, note (lines split
# by \n; "" for none), notelines, nodata (1: draw only the note); formats (the
# words png, svg, pdf in the order drawn) and for each its output, out_png,
# out_svg, out_pdf; width, height (pixels, default 1200x750; a PDF page is
# width/72 by height/72 inches); mono (1: greys, dash types, point types and
# fill patterns instead of colours). finish.gp draws the formats after the first.
if (!exists("width")) width = 1200
if (!exists("height")) height = 750
if (!exists("note")) note = ""
if (!exists("notelines")) notelines = 0
if (!exists("nodata")) nodata = 0
if (!exists("mono")) mono = 0
if (!exists("formats")) formats = "png svg"
set encoding utf8
term_png = sprintf("set terminal pngcairo size %d,%d noenhanced font 'sans,11' background rgb 'white'", width, height)
term_svg = sprintf("set terminal svg size %d,%d dynamic noenhanced font 'sans,11' background rgb 'white'", width, height)
term_pdf = sprintf("set terminal pdfcairo size %.5fin,%.5fin noenhanced font 'sans,11' background rgb 'white'", (width + 0.01) / 72.0, (height + 0.01) / 72.0)
fmt = word(formats, 1)
eval(value("term_".fmt))
set output value("out_".fmt)
if (!exists("x2room")) x2room = 0
# the colours that are not a model's: notes, the SLO line, client-bound points
ACCENT = mono ? "#000000" : "#a02020"
# title (two lines) at the top, then the note lines, then the plot
set label 3 title at screen 0.5, screen 0.965 center front font ",13"
set tmargin at screen (0.885 - 0.022 * notelines - x2room)
set lmargin 12
set rmargin 4
if (notelines > 0) set label 1 note at screen 0.5, screen 0.9 center front textcolor rgb ACCENT font ",10"

set key outside below center horizontal samplen 3 spacing 1.2
set grid ytics lc rgb "#d8d8d8" lt 1
set border 3
set tics nomirror
set ylabel ylabel
# A model's look in block i (1-based): `ringside plot` passes its colour
# ("#rrggbb", from the model table) in colours and its style number in styles;
# with mono the style picks a grey, a dash type, a point type and a fill pattern.
array MG[16] = ["#000000", "#404040", "#000000", "#404040", "#000000", "#404040", "#000000", "#404040", \
	"#000000", "#404040", "#000000", "#404040", "#000000", "#404040", "#000000", "#404040"]
array DT[16] = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1]
array PT[16] = [7, 5, 9, 11, 13, 6, 4, 8, 10, 12, 14, 1, 2, 3, 15, 3]
# cairo and svg patterns: 0 empty, 1 and 2 crossed, 3 solid, 4 to 7 diagonal
array FP[16] = [3, 4, 5, 1, 6, 7, 2, 0, 3, 4, 5, 1, 6, 7, 2, 0]
mstyle(i) = int(word(styles, i))
mc(i) = mono ? MG[mstyle(i)] : word(colours, i)
mdt(i) = mono ? DT[mstyle(i)] : 1
mpt(i) = mono ? PT[mstyle(i)] : 7
mfp(i) = FP[mstyle(i)]
# a pattern's line colour: grey where the pattern is solid, so that marks on it show
pc(p) = p == 3 ? "#a8a8a8" : "#000000"
# stack segment colours, and with mono their patterns
array S[8] = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#bab0ac", "#edc948"]
array SP[8] = [3, 4, 0, 5, 2, 6, 1, 7]
# A bar's fill and colour, as text for an eval'd plot command: with mono the
# pattern expression p (its lines black, grey where solid), else the colour c.
fill(p, c) = mono ? sprintf("fs pattern %s border lc rgb '#000000' lc rgb pc(%s)", p, p) \
	: sprintf("fs solid 0.85 border lc rgb '#333333' lc rgb %s", c)
