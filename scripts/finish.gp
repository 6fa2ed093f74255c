# Loaded last by each chart script: the same chart again in every format after
# the first (common.gp's formats and out_*).
do for [f = 2:words(formats)] {
	fmt = word(formats, f)
	eval(value("term_".fmt))
	set output value("out_".fmt)
	replot
}
unset output
