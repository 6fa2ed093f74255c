# Loaded last by each chart script: the same chart again as SVG.
set terminal svg size width,height dynamic noenhanced font "sans,11" background rgb "white"
set output svg
replot
unset output
