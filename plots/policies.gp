# SPDX-License-Identifier: GPL-2.0-or-later
# Lock acquisitions per operation by lock class, one cluster per run.
# Input (in): CSV with a header: label, then one column per lock class
#   (ncols of them, default 4), one row per run, values = acquisitions per
#   alloc or free from the summary_lock view (empty: not taken).
# Output (out): PNG.  Optional: title.
if (!exists("in") || !exists("out")) { print "usage: gnuplot -e \"in='x.csv'; out='x.png'\" policies.gp"; exit }
if (!exists("title")) title = "Lock acquisitions per operation"
if (!exists("ncols")) ncols = 4
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1300,650 dynamic font ",10" } else { set terminal pngcairo size 1300,650 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "acquisitions per alloc or free"
set logscale y
set yrange [0.0001:*]
set grid ytics
set key outside right top noenhanced
set xtics rotate by -20 left noenhanced
plot for [c=2:ncols+1] in using c:xtic(1) title columnheader(c)
