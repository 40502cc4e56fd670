# SPDX-License-Identifier: GPL-2.0-or-later
# Policies side by side: one cluster of bars per run, one bar per metric
# (lock classes, line transfers by origin, peak and mean memory, p99s).
# Input (in): CSV with a header: run label, then one column per bar (ncols
#   of them, default 4), one row per run; an empty value draws no bar.
# Output (out); optional: title, ylabel, logy (1: log y axis, the default),
#   fmt ("png" or "svg").
if (!exists("in") || !exists("out")) { print "usage: gnuplot -e \"in='x.csv'; out='x.png'; ncols=2; ylabel='KiB'; logy=0\" policies.gp"; exit }
if (!exists("title")) title = "Lock acquisitions per operation"
if (!exists("ylabel")) ylabel = "acquisitions per alloc or free"
if (!exists("ncols")) ncols = 4
if (!exists("logy")) logy = 1
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1300,650 dynamic font ",10" } else { set terminal pngcairo size 1300,650 font ",10" }
set output out
set datafile separator ","
set datafile missing ""
set title title noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel ylabel noenhanced
if (logy) { set logscale y; set yrange [0.0001:*] } else { set yrange [0:*] }
set grid ytics
set key outside right top noenhanced
set xtics rotate by -25 left noenhanced
set bmargin 11
plot for [c=2:ncols+1] in using c:xtic(1) title columnheader(c)
